using Actors.Simulator;
using Actors.Simulator.Population;

// Simulations that run the service's own policy code.
return args switch
{
    ["bernoulli", .. var rest] => Bernoulli.Run(rest),
    ["population", .. var rest] => await PopulationCommand.RunAsync(rest),
    ["bias", .. var rest] => await BiasCommand.RunAsync(rest),
    ["cold-start", .. var rest] => await ColdStartCommand.RunAsync(rest),
    ["sweep", .. var rest] => await SweepCommand.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine(Bernoulli.Usage);
    Console.Error.WriteLine();
    Console.Error.WriteLine(PopulationCommand.Usage);
    Console.Error.WriteLine();
    Console.Error.WriteLine(BiasCommand.Usage);
    Console.Error.WriteLine();
    Console.Error.WriteLine(ColdStartCommand.Usage);
    Console.Error.WriteLine();
    Console.Error.WriteLine(SweepCommand.Usage);
    return 2;
}
