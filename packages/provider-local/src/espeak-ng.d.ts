// The espeak-ng package ships an Emscripten ES module without type declarations. Only the parts of the
// Emscripten module object this package uses are declared.
declare module 'espeak-ng' {
  interface EmscriptenFileSystem {
    writeFile(path: string, data: string | Uint8Array): void;
    readFile(path: string): Uint8Array;
  }

  interface ESpeakNgModule {
    FS: EmscriptenFileSystem;
  }

  interface ESpeakNgModuleOptions {
    /** Command-line arguments handed to espeak-ng's `main`. */
    arguments?: string[];
    print?(text: string): void;
    printErr?(text: string): void;
    /** Called instead of exiting the process when `main` returns or calls `exit`. */
    quit?(status: number, toThrow: unknown): void;
    /** Called before `main`, with the module object (the file system is ready). */
    preRun?: Array<(module: ESpeakNgModule) => void>;
    /** Called after `main` returns. */
    postRun?: Array<(module: ESpeakNgModule) => void>;
    /**
     * Emscripten's hook to instantiate the WebAssembly module yourself. Must call `receiveInstance` and
     * return the instance's exports (or `{}` when instantiating asynchronously).
     */
    instantiateWasm?(
      imports: WebAssembly.Imports,
      receiveInstance: (instance: WebAssembly.Instance, module: WebAssembly.Module) => unknown,
    ): WebAssembly.Exports | Record<string, never>;
  }

  export default function ESpeakNg(options?: ESpeakNgModuleOptions): Promise<ESpeakNgModule>;
}
