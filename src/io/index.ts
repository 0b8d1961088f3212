// Saving and loading arrays, as MLX's top-level mx.save, mx.savez,
// mx.savez_compressed, mx.save_safetensors, mx.save_gguf and mx.load: the
// .npy, .npz, safetensors and GGUF formats; and mx.exportToDot (a graph as DOT).

export { save, savez, savezCompressed, type SavezArrays } from "./npz.js";
export { saveSafetensors } from "./safetensors.js";
export { saveGguf, type GgufMetadataValue } from "./gguf.js";
export { exportToDot } from "./dot.js";
export { load, loadSafetensors, loadGguf, type LoadFormat, type LoadOptions, type LoadResult } from "./load.js";
