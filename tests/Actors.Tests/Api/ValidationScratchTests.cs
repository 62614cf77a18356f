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
        var log = new StringBuilder();
        foreach (var (label, path, body, chunked, expect) in new[]
        {
            ("fb-cl", "/feedback", $$"""{"event_id": "e", "user_id": "u", "tip_id": "{{tall}}", "kind": "view"}""", false, false),
            ("fb-cl-front", "/feedback", $$"""{"tip_id": "{{tall}}", "event_id": "e", "user_id": "u", "kind": "view"}""", false, false),
            ("score-cl", "/score", $$"""{"user_id": "{{tall}}", "candidates": ["sleep-01"]}""", false, false),
            ("score-chunked", "/score", $$"""{"user_id": "{{tall}}", "candidates": ["sleep-01"]}""", true, false),
            ("fb-chunked", "/feedback", $$"""{"event_id": "e", "user_id": "u", "tip_id": "{{tall}}", "kind": "view"}""", true, false),
            ("fb-expect", "/feedback", $$"""{"event_id": "e", "user_id": "u", "tip_id": "{{tall}}", "kind": "view"}""", false, true),
            ("score-expect", "/score", $$"""{"user_id": "{{tall}}", "candidates": ["sleep-01"]}""", false, true),
        })
        {
            var outcomes = new Dictionary<string, int>();
            for (var i = 0; i < 20; i++)
            {
                using var client = new HttpClient { BaseAddress = host.Client.BaseAddress };
                var bytes = Encoding.UTF8.GetBytes(body);
                HttpContent content = chunked ? new StreamContent(new MemoryStream(bytes)) : new ByteArrayContent(bytes);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
                if (chunked) request.Headers.TransferEncodingChunked = true;
                if (expect) request.Headers.ExpectContinue = true;
                string outcome;
                try
                {
                    using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                    var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                    outcome = $"{(int)response.StatusCode} {text[..Math.Min(140, text.Length)]}";
                }
                catch (Exception ex)
                {
                    outcome = ex.GetType().Name + ": " + ex.Message + " / " + ex.InnerException?.Message;
                }
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
            foreach (var (o, n) in outcomes) log.AppendLine($"{label}: {n}x {o}");
        }
        File.WriteAllText("/tmp/scratch/probe.txt", log.ToString());
    }
}
