using System.Net.Http.Headers;
using System.Text;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Api;

public sealed class ValidationScratchTests
{
    [Fact]
    public async Task Probe()
    {
        await using var host = await ServiceHost.StartAsync();
        var tall = new string('x', 300 * 1024);
        var body = $$"""{"event_id": "e", "user_id": "u", "tip_id": "{{tall}}", "kind": "view"}""";
        var log = new StringBuilder();
        var ct = TestContext.Current.CancellationToken;
        async Task<string> Big(HttpClient client)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            try
            {
                using var response = await client.PostAsync("/feedback", content, ct);
                return $"{(int)response.StatusCode} close={response.Headers.ConnectionClose}";
            }
            catch (Exception ex) { return ex.InnerException?.Message ?? ex.Message; }
        }
        async Task<string> Small(HttpClient client)
        {
            try
            {
                using var response = await client.GetAsync("/health/live", ct);
                return $"{(int)response.StatusCode}";
            }
            catch (Exception ex) { return ex.InnerException?.Message ?? ex.Message; }
        }
        var outcomes = new Dictionary<string, int>();
        void Add(string k) => outcomes[k] = outcomes.GetValueOrDefault(k) + 1;
        for (var i = 0; i < 30; i++)
        {
            using var client = new HttpClient { BaseAddress = host.Client.BaseAddress };
            Add("A small-first: " + await Small(client));
            Add("A big-after-small: " + await Big(client));
        }
        for (var i = 0; i < 30; i++)
        {
            using var client = new HttpClient { BaseAddress = host.Client.BaseAddress };
            Add("B big-first: " + await Big(client));
            Add("B small-after-big: " + await Small(client));
        }
        for (var i = 0; i < 30; i++)
        {
            using var client = new HttpClient { BaseAddress = host.Client.BaseAddress };
            Add("C small-first: " + await Small(client));
            await Task.Delay(50, ct);
            Add("C big-after-small-50ms: " + await Big(client));
        }
        foreach (var (o, n) in outcomes.OrderBy(kv => kv.Key)) log.AppendLine($"{n}x {o}");
        File.WriteAllText("/tmp/scratch/probe.txt", log.ToString());
    }
}
