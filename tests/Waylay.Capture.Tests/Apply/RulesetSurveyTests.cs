using Waylay.Capture.Apply;
using Waylay.Capture.Options;
using Xunit;

namespace Waylay.Capture.Tests.Apply;

/// <summary>What the one look at a namespace's tables lets each backend skip.</summary>
public sealed class RulesetSurveyTests
{
    private static RulesetSurvey With(string[] nft, string[]? legacyV4 = null) =>
        new(new HashSet<string>(legacyV4 ?? []), new HashSet<string>(), new HashSet<string>(nft));

    [Fact]
    public void EmptyNamespace_HoldsNothingAnywhere()
    {
        var survey = With([]);
        Assert.False(survey.MayHoldIptablesNft(IpFamily.V4));
        Assert.False(survey.MayHoldIptablesNft(IpFamily.V6));
        Assert.False(survey.HasWaylayNft(IpFamily.V4));
        Assert.False(survey.MayHoldMangle(IpFamily.V4));
    }

    [Fact]
    public void WaylaysNativeTables_AreNotIptablesNftTables()
    {
        var survey = With(["ip waylay-nat", "ip6 waylay-mangle"]);
        Assert.False(survey.MayHoldIptablesNft(IpFamily.V4));
        Assert.True(survey.HasWaylayNft(IpFamily.V4));
        Assert.True(survey.HasWaylayNft(IpFamily.V6));
        Assert.False(survey.MayHoldMangle(IpFamily.V4));
        Assert.True(survey.MayHoldMangle(IpFamily.V6));
    }

    [Fact]
    public void IptablesNftTables_ArePerFamily()
    {
        var survey = With(["ip nat", "ip filter"]);
        Assert.True(survey.MayHoldIptablesNft(IpFamily.V4));
        Assert.False(survey.MayHoldIptablesNft(IpFamily.V6));
        Assert.False(survey.HasWaylayNft(IpFamily.V4));
    }

    [Fact]
    public void LegacyMangle_MayHoldTproxyRules()
    {
        Assert.True(With([], legacyV4: ["nat", "mangle"]).MayHoldMangle(IpFamily.V4));
        Assert.False(With([], legacyV4: ["nat"]).MayHoldMangle(IpFamily.V4));
    }

    [Fact]
    public void Unknown_MakesEveryReaderRead()
    {
        Assert.True(RulesetSurvey.Unknown.MayHoldIptablesNft(IpFamily.V4));
        Assert.Null(RulesetSurvey.Unknown.HasWaylayNft(IpFamily.V4));
        Assert.True(RulesetSurvey.Unknown.MayHoldMangle(IpFamily.V6));
    }
}
