using Actors.Bench.Load;
using Actors.Bench.MathBenchmarks;

namespace Actors.Bench;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            PrintUsage(Console.Error);
            return 2;
        }

        string command = args[0];
        string[] rest = args[1..];
        switch (command)
        {
            case "load":
                return await LoadCommand.RunAsync(rest);
            case "math":
                return MathCommand.Run(rest);
            case "help" or "-h" or "--help":
                PrintUsage(Console.Out);
                return 0;
            default:
                Console.Error.WriteLine($"unknown command '{command}'");
                PrintUsage(Console.Error);
                return 2;
        }
    }

    private static void PrintUsage(TextWriter writer)
    {
        writer.WriteLine("""
            usage: dotnet run -c Release --project bench/Actors.Bench -- <command> [options]

            commands:
              load    HTTP load against the service on loopback (closed loop, open loop, side-by-side compare)
              math    BenchmarkDotNet over the math in src/Learning (LinUCB, profile accumulator);
                      the options are BenchmarkDotNet's, e.g. math --filter '*' --job short

            Run '<command> --help' for the options of a command.
            """);
    }
}
