using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process toolchain: the benchmarks reference the service projects, and a child build per run would cost minutes
// on this shared machine. `--job short` style defaults keep a full run to a few minutes.
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(Neolia.MicroBench.TokenBenchmarks).Assembly).Run(args, config);
