using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

// Not Actors.Bench.Math: a namespace called Math would hide System.Math everywhere under Actors.Bench.
namespace Actors.Bench.MathBenchmarks;

/// <summary>
/// The 'math' subcommand: BenchmarkDotNet over the pure math in src/Learning. Every argument goes to
/// BenchmarkSwitcher, so its own options (--filter, --job short, --list flat, --help ...) work unchanged.
/// </summary>
public static class MathCommand
{
    public static int Run(string[] args)
    {
        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(MathCommand).Assembly).Run(args);

        // Non-zero when a benchmark failed to build or run, so a script never files a broken run.
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }
}
