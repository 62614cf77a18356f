using Actors.Gateway;

ActorsGateway.Build(args).Run();

/// <summary>Visible to tests that host the real application.</summary>
public partial class Program;
