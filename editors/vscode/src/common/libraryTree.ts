// The pattern library as a tree: learned blocks by block type, then the patterns' feedback.
// Pure (no `vscode` import): built from the server's `onex/patternLibrary` answer.

export const PATTERN_LIBRARY_REQUEST = 'onex/patternLibrary';

interface PatternStats {
    key: string;
    shown: number;
    applied: number;
    kept: number;
    modified: number;
    reverted: number;
    keepRate: number;
    retention: number | null;
    state: string;
    lastUsed: number | null;
}

interface LearnedBlock {
    id: string;
    kind: string;
    block: string | null;
    nodeKind: string | null;
    operation: string | null;
    origin: string;
    originRange?: [number, number, number, number]; // first line (1-based), column, last line, column
    learnedAt: number;
    stats: PatternStats | null;
}

export interface PatternLibrary {
    store: string;
    embedder: string;
    blocks: LearnedBlock[];
    patterns: PatternStats[];
}

export interface TreeNode {
    label: string;
    description?: string;
    tooltip?: string;
    origin?: string; // a learned block: the file it was learned from
    block?: BlockRef; // a learned block: what its context menu (show, forget, export) acts on
    children?: TreeNode[];
}

export interface BlockRef {
    id: string;
    label: string;
    origin: string;
    originRange?: [number, number, number, number];
}

function basename(path: string): string {
    return path.split(/[\\/]/).pop() ?? path;
}

function feedback(stats: PatternStats | null): string {
    if (!stats) {
        return 'not offered yet';
    }
    return `keep ${stats.keepRate.toFixed(2)} · kept ${stats.kept} of ${stats.applied} · ${stats.state}`;
}

function blockNode(block: LearnedBlock): TreeNode {
    const when = new Date(block.learnedAt * 1000).toISOString().slice(0, 16).replace('T', ' ');
    const lastUsed = block.stats?.lastUsed ? new Date(block.stats.lastUsed * 1000).toISOString().slice(0, 10) : 'never';
    return {
        label: block.operation ?? block.kind,
        description: `${feedback(block.stats)} · ${basename(block.origin)}`,
        tooltip: [
            `${block.kind} ${block.block ?? ''} (${block.nodeKind ?? 'any kind'})`,
            `learned from ${block.origin} at ${when}`,
            `last used: ${lastUsed}`,
            `id ${block.id}`,
        ].join('\n'),
        origin: block.origin,
        block: {
            id: block.id,
            label: `${block.operation ?? block.kind} (${block.id.slice(0, 8)})`,
            origin: block.origin,
            originRange: block.originRange,
        },
    };
}

/** Learned blocks grouped by block type (`crud.create`, `error_handling`...), then patterns. */
export function libraryTree(library: PatternLibrary): TreeNode[] {
    const groups = new Map<string, LearnedBlock[]>();
    for (const block of library.blocks) {
        const key = block.block ?? block.kind;
        groups.set(key, [...(groups.get(key) ?? []), block]);
    }
    const learned: TreeNode = {
        label: `Learned blocks (${library.blocks.length})`,
        tooltip: `${library.store}\nembedder: ${library.embedder}`,
        children: [...groups.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, blocks]) => ({ label: key, description: String(blocks.length), children: blocks.map(blockNode) })),
    };
    const patterns: TreeNode = {
        label: `Patterns with feedback (${library.patterns.length})`,
        children: library.patterns.map((p) => ({
            label: p.key.startsWith('learned:') ? `learned ${p.key.slice(8, 16)}` : p.key,
            description: feedback(p),
            tooltip: `shown ${p.shown}, applied ${p.applied}, kept ${p.kept}, modified ${p.modified}, reverted ${p.reverted}` +
                (p.retention === null ? '' : `, mean retention ${p.retention.toFixed(2)}`),
        })),
    };
    return [learned, patterns];
}
