// Imported before onnxruntime-node wherever it is loaded. Its Linux and macOS builds (1.30) carry Microsoft's 1DS
// telemetry: on first load in a process the native library writes a device id and an event database under
// ~/.cache/Microsoft/DeveloperTools/.onnxruntime, an event cache at /tmp/.ses and an empty /tmp/mat-debug-<pid>.log,
// and uploads process, model and session events over HTTPS (queued in that database while offline). A local document
// indexer sends nothing anywhere: ORT_DISABLE_TELEMETRY=1, read once when the library initialises, turns all of it off
// (measured: none of those files appear). A value the user set, either way, is left alone.
process.env['ORT_DISABLE_TELEMETRY'] ??= '1';

export {};
