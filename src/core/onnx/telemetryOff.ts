// onnxruntime's Linux/macOS builds carry Microsoft's 1DS telemetry: on every run that loads it they
// write an event store with a persistent device id under ~/.cache/Microsoft/DeveloperTools/.onnxruntime/
// and an empty /tmp/mat-debug-<pid>.log. Nobody consented to that, and nothing may be written outside
// the run's folders, so every process we start turns it off before onnxruntime loads: this module is
// the first import of each entry point (worker, CLI, demo). ORT_DISABLE_TELEMETRY is read by
// onnxruntime itself (checked: with it set, neither file appears); a user who sets it to 0 opts in.
process.env.ORT_DISABLE_TELEMETRY ??= '1';

export {};
