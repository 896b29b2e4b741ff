// Interpreter resolution with VS Code in the loop: the setting, the Python extension's
// active environment (when ms-python.python is installed), else python3.
import * as vscode from 'vscode';
import { type ResolvedInterpreter, type Variables, resolveInterpreter } from './python';
import { SECTION } from './settings';

interface PythonExtensionApi {
    environments?: {
        getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
        resolveEnvironment(
            env: { path: string } | string,
        ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
        onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
    };
}

async function pythonExtensionApi(): Promise<PythonExtensionApi | undefined> {
    const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
    if (!extension) {
        return undefined;
    }
    try {
        return extension.isActive ? extension.exports : await extension.activate();
    } catch {
        return undefined;
    }
}

async function pythonExtensionInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
    const api = await pythonExtensionApi();
    const environments = api?.environments;
    if (!environments) {
        return undefined;
    }
    try {
        const active = environments.getActiveEnvironmentPath(resource);
        if (!active) {
            return undefined;
        }
        const resolved = await environments.resolveEnvironment(active);
        return resolved?.executable.uri?.fsPath ?? active.path;
    } catch {
        return undefined;
    }
}

/** Subscribe to the Python extension's interpreter changes (no-op without it). */
export async function onPythonInterpreterChanged(listener: () => void): Promise<vscode.Disposable | undefined> {
    const api = await pythonExtensionApi();
    return api?.environments?.onDidChangeActiveEnvironmentPath?.(listener);
}

export function variables(folder?: vscode.WorkspaceFolder): Variables {
    return { workspaceFolder: folder?.uri.fsPath };
}

export function primaryFolder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
}

/** In an untrusted workspace `onex.interpreter` comes from user settings only (package.json
 * restricts it) and the Python extension's environment, maybe the workspace's venv, is not used. */
export async function currentInterpreter(): Promise<ResolvedInterpreter> {
    const folder = primaryFolder();
    const setting = vscode.workspace.getConfiguration(SECTION, folder?.uri).get<string>('interpreter');
    const useExtension = !setting?.trim() && vscode.workspace.isTrusted;
    const fromExtension = useExtension ? await pythonExtensionInterpreter(folder?.uri) : undefined;
    return resolveInterpreter({ setting, pythonExtension: fromExtension, vars: variables(folder) });
}
