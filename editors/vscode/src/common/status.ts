// The server's state as the status bar shows it. Pure: events in, a view out.
// While the server runs, its typed `onex/status` notification is the truth (no log text
// is read); before and after, the client's own lifecycle (starting, stopped, error).

type Phase = 'stopped' | 'starting' | 'loadingModel' | 'generating' | 'learning' | 'ready' | 'error';

/** `onex/status` as the server sends it (server/onex_lsp/lsp/status.py). */
export interface ServerStatus {
    state: string;
    model: string;
    store: string;
    learning: boolean;
}

export const STATUS_NOTIFICATION = 'onex/status';

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

const SERVER_PHASES: Record<string, Phase> = {
    starting: 'starting',
    loadingModel: 'loadingModel',
    generating: 'generating',
    learning: 'learning',
    ready: 'ready',
};

export class StatusModel {
    private base: 'stopped' | 'starting' | 'running' | 'error' = 'stopped';
    private errorMessage = '';
    private server: ServerStatus | undefined;
    detail = ''; // interpreter and server version, for the tooltip

    starting(): void {
        this.base = 'starting';
        this.server = undefined;
    }

    running(): void {
        this.base = 'running';
    }

    stopped(): void {
        if (this.base !== 'error') {
            this.base = 'stopped';
        }
        this.server = undefined;
    }

    failed(message: string): void {
        this.base = 'error';
        this.errorMessage = message;
        this.server = undefined;
    }

    /** An `onex/status` notification; anything malformed is ignored. */
    serverStatus(params: unknown): void {
        if (typeof params !== 'object' || params === null) {
            return;
        }
        const p = params as Partial<ServerStatus>;
        if (typeof p.state !== 'string' || !(p.state in SERVER_PHASES)) {
            return;
        }
        this.server = {
            state: p.state,
            model: typeof p.model === 'string' ? p.model : '',
            store: typeof p.store === 'string' ? p.store : '',
            learning: p.learning === true,
        };
    }

    get phase(): Phase {
        switch (this.base) {
            case 'stopped':
            case 'error':
                return this.base;
            case 'starting':
                return 'starting';
            case 'running':
                return this.server ? (SERVER_PHASES[this.server.state] ?? 'ready') : 'starting';
        }
    }

    /** Only what is true now: server facts only while it runs and has said them. */
    get view(): StatusView {
        const phase = this.phase;
        const lines = [`ONEX language server: ${LABELS[phase]}`];
        if (phase === 'error' && this.errorMessage) {
            lines.push(this.errorMessage);
        }
        if (phase !== 'stopped' && phase !== 'error' && this.detail) {
            lines.push(this.detail);
        }
        if (this.base === 'running' && this.server) {
            if (this.server.model) {
                lines.push(`Embedder: ${this.server.model}`);
            }
            if (this.server.store) {
                lines.push(`Pattern library: ${this.server.store}`);
            }
            lines.push(`Learning: ${this.server.learning ? 'on' : 'off'}`);
        }
        lines.push('Click for the ONEX output');
        return {
            phase,
            text: `${ICONS[phase]} ONEX: ${LABELS[phase]}`,
            tooltip: lines.join('\n'),
            severity: phase === 'error' ? 'error' : phase === 'stopped' ? 'warning' : 'normal',
        };
    }
}
