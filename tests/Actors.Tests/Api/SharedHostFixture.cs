using Actors.Tests.Infrastructure;

namespace Actors.Tests.Api;

/// <summary>One service shared by the tests of a class (one per class); each test uses its own user ids.</summary>
public sealed class SharedHostFixture : IAsyncLifetime
{
    public ServiceHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Host = await ServiceHost.StartAsync();
        await ValidationDb.WarmUpAsync(Host);
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
    }
}
