namespace Actors.Simulator;

/// <summary>The commands' options are all "--name value" pairs, folded one by one into an options record.</summary>
public static class CommandLine
{
    /// <summary>
    /// Applies each pair to the options; <paramref name="apply"/> answers null for a name it does not know
    /// or a value it rejects. Null (after saying why on stderr) when a pair is bad or incomplete.
    /// </summary>
    public static T? Parse<T>(string[] args, T defaults, Func<T, string, string, T?> apply) where T : class
    {
        var options = defaults;
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length) return Fail<T>($"{args[i]} needs a value.");
            options = apply(options, args[i], args[i + 1]);
            if (options is null) return Fail<T>($"bad option {args[i]} {args[i + 1]}");
        }
        return options;
    }

    private static T? Fail<T>(string message) where T : class
    {
        Console.Error.WriteLine(message);
        return null;
    }
}
