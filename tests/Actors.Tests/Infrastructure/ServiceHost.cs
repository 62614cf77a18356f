using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actors.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Actors.Tests.Infrastructure;

/// <summary>
/// The real service (co-hosted silo, SQLite files, Kestrel) on a loopback port, in this process.
/// Each host gets its own data directory and silo ports; <see cref="RestartAsync"/> keeps the data.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<WebApplicationBuilder>? _configure;
    private WebApplication? _app;

    private ServiceHost(string dataDirectory, Dictionary<string, string?> settings, Action<WebApplicationBuilder>? configure)
    {
        DataDirectory = dataDirectory;
        _settings = settings;
        _configure = configure;
    }

    public string DataDirectory { get; }

    public HttpClient Client { get; private set; } = null!;

    public WebApplication App => _app ?? throw new InvalidOperationException("The host is not running.");

    /// <param name="configure">Runs on the builder after the settings are added (an environment, a service to add).</param>
    public static async Task<ServiceHost> StartAsync(
        IDictionary<string, string?>? overrides = null, string? dataDirectory = null, Action<WebApplicationBuilder>? configure = null)
    {
        dataDirectory ??= TempDirectory.Create("actors-host");
        var settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = dataDirectory,
            ["Orleans:Dashboard"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) settings[key] = value;
        var host = new ServiceHost(dataDirectory, settings, configure);
        await host.StartAppAsync();
        return host;
    }

    /// <summary>Stops the service gracefully and starts a new one on the same data directory, with some settings changed.</summary>
    public Task RestartAsync(IDictionary<string, string?> changes)
    {
        foreach (var (key, value) in changes) _settings[key] = value;
        return RestartAsync();
    }

    /// <summary>Stops the service gracefully and starts a new one on the same data directory.</summary>
    public async Task RestartAsync()
    {
        await StopAppAsync();
        await StartAppAsync();
    }

    public async Task<JsonNode> PostJsonAsync(string path, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Client.PostAsJsonAsync(path, body);
        return await ReadAsync(response, expected);
    }

    public async Task<HttpResponseMessage> PostRawAsync(string path, string body, string contentType = "application/json") =>
        await Client.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

    public async Task<JsonNode> GetJsonAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Client.GetAsync(path);
        return await ReadAsync(response, expected);
    }

    /// <summary>The whole catalog, read a page at a time through GET /tips and its next_after cursor.</summary>
    public async Task<JsonArray> ListTipsAsync(int? limit = null)
    {
        var tips = new JsonArray();
        string? after = null;
        do
        {
            var query = new List<string>();
            if (limit is { } size) query.Add($"limit={size}");
            if (after is not null) query.Add($"after={Uri.EscapeDataString(after)}");
            var page = await GetJsonAsync(query.Count == 0 ? "/tips" : $"/tips?{string.Join('&', query)}");
            foreach (var tip in page["tips"]!.AsArray()) tips.Add(tip!.DeepClone());
            after = page["next_after"]?.GetValue<string>();
        }
        while (after is not null);
        return tips;
    }

    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
        {
            throw new Xunit.Sdk.XunitException($"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        }
        return JsonNode.Parse(text) ?? throw new Xunit.Sdk.XunitException("Empty JSON body.");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        TempDirectory.Delete(DataDirectory);
    }

    private async Task StartAppAsync()
    {
        var settings = new Dictionary<string, string?>(_settings)
        {
            ["Orleans:SiloPort"] = FreePort().ToString(),
            ["Orleans:GatewayPort"] = FreePort().ToString(),
        };
        _app = ActorsGateway.Build(
            ["--urls", "http://127.0.0.1:0"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                _configure?.Invoke(builder);
            });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
    }

    private async Task StopAppAsync()
    {
        if (_app is null) return;
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public static class TempDirectory
{
    public static string Create(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may still be closing; the OS temp cleaner takes what is left.
        }
    }
}

/// <summary>Small helpers for reading service responses in tests.</summary>
public static class Json
{
    public static string Str(this JsonNode node, string name) => node[name]!.GetValue<string>();

    public static T Val<T>(this JsonNode node, string name) => node[name]!.GetValue<T>();

    public static JsonSerializerOptions Snake { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
