// "ONEX: Show Detected Patterns" as a readable Markdown document (shown read-only, never
// an Untitled editor to save or discard). Pure: from the server's onex.showDetectedPatterns
// answer.

interface DetectedPattern {
    pattern: string;
    confidence: number;
    operations: string[];
    reason: string;
}

interface HandlerChoice {
    operation: string;
    block: string;
    confidence: number;
    reason: string;
}

interface LearnedOption {
    block: string;
    origin: string;
    similarity: number;
}

export interface DetectedPatterns {
    error?: string;
    node?: string;
    name?: string;
    dialect?: string;
    kind?: string;
    patterns?: DetectedPattern[];
    operations?: HandlerChoice[];
    learned?: { current: boolean; operations: Record<string, LearnedOption[]> };
}

/** Text for a Markdown table cell: no line breaks, pipes and markup kept literal. */
export function cell(text: string | number | null | undefined): string {
    return String(text ?? '')
        .replace(/[\r\n]+/g, ' ')
        .replace(/([\\|`*_[\]<>])/g, '\\$1');
}

function percent(value: number): string {
    return `${Math.round(value * 100)}%`;
}

function basename(path: string): string {
    return path.split(/[\\/]/).pop() ?? path;
}

function learnedLines(learned: DetectedPatterns['learned']): string[] {
    const rows = Object.entries(learned?.operations ?? {}).flatMap(([operation, options]) =>
        options.map((o) => `| ${cell(operation)} | ${cell(o.block.slice(0, 8))} | ${o.similarity.toFixed(2)} | ${cell(basename(o.origin))} |`),
    );
    if (!rows.length) {
        return [learned?.current === false ? '_Learned options are still being computed._' : '_No learned block matches._'];
    }
    return ['| Operation | Learned block | Similarity | Learned from |', '|---|---|---|---|', ...rows];
}

export function detectedPatternsMarkdown(found: DetectedPatterns, contract: string): string {
    if (found.error) {
        return `# Detected patterns\n\n${cell(contract)}: ${cell(found.error)}\n`;
    }
    const lines = [
        `# Detected patterns: ${cell(found.node ?? found.name)}`,
        '',
        `${cell(found.kind)} node \`${cell(found.name)}\` (${cell(found.dialect)} contract ${cell(contract)})`,
        '',
        '## Patterns',
        '',
    ];
    const patterns = found.patterns ?? [];
    if (patterns.length) {
        lines.push('| Pattern | Confidence | Operations | Why |', '|---|---|---|---|');
        for (const p of patterns) {
            lines.push(`| ${cell(p.pattern)} | ${percent(p.confidence)} | ${cell(p.operations.join(', '))} | ${cell(p.reason)} |`);
        }
    } else {
        lines.push('_No pattern detected: every operation gets a stub._');
    }
    lines.push('', '## The block each operation gets', '', '| Operation | Block | Confidence | Why |', '|---|---|---|---|');
    for (const c of found.operations ?? []) {
        lines.push(`| ${cell(c.operation)} | ${cell(c.block)} | ${percent(c.confidence)} | ${cell(c.reason)} |`);
    }
    lines.push('', '## Learned options', '', ...learnedLines(found.learned), '');
    return lines.join('\n');
}
