// The server's state as the status bar shows it. Pure: events in, a view out.

type Phase = 'stopped' | 'starting' | 'loadingModel' | 'generating' | 'learning' | 'ready' | 'error';

interface StatusView {
    phase: Phase;
    text: string;
    tooltip: string;
    severity: 'normal' | 'warning' | 'error';
}

const ICONS: Record<Phase, string> = {
    stopped: '$(circle-slash)',
    starting: '$(sync~spin)',
    loadingModel: '$(loading~spin)',
    generating: '$(gear~spin)',
    learning: '$(sync~spin)',
    ready: '$(check)',
    error: '$(error)',
};

const LABELS: Record<Phase, string> = {
    stopped: 'stopped',
    starting: 'starting',
    loadingModel: 'loading model',
    generating: 'generating',
    learning: 'learning',
    ready: 'ready',
    error: 'error',
};

/** Progress titles the server sends (`$/progress` begin) and what they mean. */
export function phaseOfProgress(title: string): Phase {
    if (/embedding model|minilm/i.test(title)) {
        return 'loadingModel';
    }
    if (/^generating/i.test(title)) {
        return 'generating';
    }
    return 'ready';
}

/** Server log lines that end a learning step (the client may prefix `[Info - time]`). */
export function isLearningResult(message: string): boolean {
    return /(^|\] )(learned \d+ new block|not learned \(|learning from .* failed)/i.test(message.trim());
}

/** A log line without the client's `[Level - time] ` prefix. */
export function stripLogPrefix(line: string): string {
    return line.replace(/^\[[A-Za-z]+\s*-\s*[^\]]*\]\s*/, '').trim();
}

export class StatusModel {
    private base: 'stopped' | 'starting' | 'running' | 'error' = 'stopped';
    private errorMessage = '';
    private readonly progress = new Map<string, string>(); // token -> title
    private learningSince: number | undefined;
    lastLearned = '';
    learningEnabled = true;
    detail = ''; // interpreter and server version, for the tooltip

    starting(): void {
        this.base = 'starting';
        this.progress.clear();
        this.learningSince = undefined;
    }

    running(): void {
        this.base = 'running';
    }

    stopped(): void {
        if (this.base !== 'error') {
            this.base = 'stopped';
        }
        this.progress.clear();
        this.learningSince = undefined;
    }

    failed(message: string): void {
        this.base = 'error';
        this.errorMessage = message;
        this.progress.clear();
        this.learningSince = undefined;
    }

    progressBegin(token: string, title: string): void {
        this.progress.set(token, title);
    }

    progressEnd(token: string): void {
        this.progress.delete(token);
    }

    /** A handler file was saved: the server may learn from it. */
    saved(now: number): void {
        if (this.learningEnabled && this.base === 'running') {
            this.learningSince = now;
        }
    }

    /** A `window/logMessage` line from the server. */
    log(message: string): void {
        if (isLearningResult(message)) {
            this.learningSince = undefined;
            this.lastLearned = stripLogPrefix(message);
        }
    }

    /** Learning that never reported back (e.g. the file was not an applied suggestion). */
    expireLearning(now: number, afterMs = 10000): boolean {
        if (this.learningSince !== undefined && now - this.learningSince >= afterMs) {
            this.learningSince = undefined;
            return true;
        }
        return false;
    }

    get phase(): Phase {
        switch (this.base) {
            case 'stopped':
                return 'stopped';
            case 'starting':
                return 'starting';
            case 'error':
                return 'error';
            case 'running':
                break;
        }
        const phases = [...this.progress.values()].map(phaseOfProgress);
        if (phases.includes('loadingModel')) {
            return 'loadingModel';
        }
        if (phases.includes('generating')) {
            return 'generating';
        }
        if (this.learningSince !== undefined) {
            return 'learning';
        }
        return 'ready';
    }

    get view(): StatusView {
        const phase = this.phase;
        const text = `${ICONS[phase]} ONEX: ${LABELS[phase]}`;
        const lines = [`ONEX language server: ${LABELS[phase]}`];
        if (phase === 'error' && this.errorMessage) {
            lines.push(this.errorMessage);
        }
        for (const title of this.progress.values()) {
            lines.push(`${title}…`);
        }
        if (this.detail) {
            lines.push(this.detail);
        }
        lines.push(`Learning: ${this.learningEnabled ? 'on' : 'off'}`);
        if (this.lastLearned) {
            lines.push(`Last: ${this.lastLearned}`);
        }
        lines.push('Click for the ONEX output');
        return {
            phase,
            text,
            tooltip: lines.join('\n'),
            severity: phase === 'error' ? 'error' : phase === 'stopped' ? 'warning' : 'normal',
        };
    }
}
