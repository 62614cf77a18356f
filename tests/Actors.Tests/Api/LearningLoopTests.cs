using Actors.Tests.Infrastructure;

namespace Actors.Tests.Api;

/// <summary>The whole loop over HTTP: /score, then /feedback on what was served, and the bandit learns.</summary>
public sealed class LearningLoopTests
{
    [Fact]
    public async Task A_user_who_completes_one_category_is_served_it_after_60_rounds()
    {
        await using var host = await ServiceHost.StartAsync();
        var tips = (await host.ListTipsAsync());
        // Two tips from each category: the user likes "focus" and dismisses everything else.
        var candidates = tips.GroupBy(t => t!.Str("category")).SelectMany(g => g.Take(2)).Select(t => t!.Str("tip_id")).ToArray();
        var categoryOf = tips.ToDictionary(t => t!.Str("tip_id"), t => t!.Str("category"));
        Assert.True(candidates.Select(c => categoryOf[c]).Distinct().Count() >= 6);

        var random = new Random(2026);
        var eventCounter = 0;
        async Task<string> RoundAsync()
        {
            var shuffled = candidates.OrderBy(_ => random.Next()).ToArray();
            var score = await host.PostJsonAsync("/score", new { user_id = "focus-lover", candidates = shuffled, context = new { hour = 9 } });
            var chosen = score.Str("chosen_tip_id");
            var requestId = score.Str("request_id");
            await host.PostJsonAsync("/feedback", new { event_id = $"ev-{++eventCounter}", user_id = "focus-lover", tip_id = chosen, kind = "view", request_id = requestId, dwell_ms = 1500 });
            var kind = categoryOf[chosen] == "focus" ? "complete" : "dismiss";
            await host.PostJsonAsync("/feedback", new { event_id = $"ev-{++eventCounter}", user_id = "focus-lover", tip_id = chosen, kind, request_id = requestId });
            return categoryOf[chosen];
        }

        for (var round = 0; round < 60; round++) await RoundAsync();
        var served = new List<string>();
        for (var round = 0; round < 40; round++) served.Add(await RoundAsync());

        var focusShare = served.Count(c => c == "focus") / (double)served.Count;
        Assert.True(focusShare >= 0.8, $"focus served {focusShare:P0} of the time after 60 rounds");
    }

    [Fact]
    public async Task Every_candidate_is_ranked_once_with_probabilities_summing_to_one()
    {
        await using var host = await ServiceHost.StartAsync();
        var candidates = new object[] { "sleep-01", "focus-01", new { tip_id = "inline-1", category = "music", features = new { tempo = 0.4 } } };
        var score = await host.PostJsonAsync("/score", new { user_id = "u1", candidates });

        var ranked = score["ranked"]!.AsArray();
        Assert.Equal(3, ranked.Count);
        Assert.Equal(["focus-01", "inline-1", "sleep-01"], ranked.Select(r => r!.Str("tip_id")).Order().ToArray());
        Assert.Equal(score.Str("chosen_tip_id"), ranked[0]!.Str("tip_id"));
        Assert.Equal(1.0, ranked.Sum(r => r!.Val<double>("probability")), 9);
        Assert.True(ranked[0]!.Val<double>("probability") > 0);
        Assert.Equal("linucb-v1", score.Str("policy"));
        Assert.Equal(-1, score["profile_features"]!.Val<double>("preferred_hour"));
    }
}
