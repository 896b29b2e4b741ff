// What `onex/generated` says (pure): the summary, the package folder, the files written.

export interface Generated {
    message: string;
    folder: string;
    main: string;
    files: string[];
}

/** The files as the quick pick lists them: package-relative paths, node.py first. */
export function fileItems(generated: Generated): { label: string; uri: string }[] {
    const folder = generated.folder.endsWith('/') ? generated.folder : `${generated.folder}/`;
    const items = generated.files.map((uri) => ({
        label: uri.startsWith(folder) ? decodeURIComponent(uri.slice(folder.length)) : uri,
        uri,
    }));
    return items.sort((a, b) => Number(b.uri === generated.main) - Number(a.uri === generated.main) || a.label.localeCompare(b.label));
}

