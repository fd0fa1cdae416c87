using System.Text.Json;
using System.Text.Json.Nodes;
using Waylay.Inject.Yaml;

namespace Waylay.Inject.Tests.Yaml;

public sealed class YamlReaderWriterTests
{
    private static JsonNode? One(string yaml) => YamlReader.ReadDocuments(yaml, "t")[0];

    [Theory]
    [InlineData("v: 8080", "{\"v\":8080}")]
    [InlineData("v: \"8080\"", "{\"v\":\"8080\"}")]
    [InlineData("v: '*'", "{\"v\":\"*\"}")]
    [InlineData("v: 0644", "{\"v\":420}")]
    [InlineData("v: 0x1F", "{\"v\":31}")]
    [InlineData("v: 1.50", "{\"v\":1.50}")]
    [InlineData("v: yes", "{\"v\":true}")]
    [InlineData("v: Off", "{\"v\":false}")]
    [InlineData("v: ~", "{\"v\":null}")]
    [InlineData("v:", "{\"v\":null}")]
    [InlineData("v: !!str 123", "{\"v\":\"123\"}")]
    [InlineData("v: 100m", "{\"v\":\"100m\"}")]
    [InlineData("v: 123456789012345678901234567890", "{\"v\":123456789012345678901234567890}")]
    [InlineData("a: &x {b: 1}\nc: *x", "{\"a\":{\"b\":1},\"c\":{\"b\":1}}")]
    public void Scalars_MeanWhatKubectlReads(string yaml, string json)
    {
        Assert.Equal(json, One(yaml)!.ToJsonString());
    }

    [Theory]
    [InlineData("8080")]
    [InlineData("")]
    [InlineData("true")]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("*")]
    [InlineData("1e3")]
    [InlineData("9080,")]
    [InlineData(" leading")]
    [InlineData("line one\nline two\n")]
    [InlineData("{\"json\":\"inside\"}")]
    [InlineData("# not a comment")]
    [InlineData("- not a list")]
    public void Strings_ComeBackAsTheSameStrings(string text)
    {
        var written = YamlWriter.Write([new JsonObject { ["v"] = text }]);
        var read = One(written)!["v"]!;
        Assert.Equal(JsonValueKind.String, read.GetValueKind());
        Assert.Equal(text, read.GetValue<string>());
    }

    [Fact]
    public void KeyOrder_AndEmptyCollections_Survive()
    {
        var yaml = "z: 1\na: {}\nm: []\nb:\n- x\n";
        Assert.Equal(yaml, YamlWriter.Write(YamlReader.ReadDocuments(yaml, "t")));
    }

    [Fact]
    public void Documents_AreSeparated()
    {
        var text = YamlWriter.Write([JsonNode.Parse("{\"a\":1}"), JsonNode.Parse("{\"b\":2}")]);
        Assert.Equal("a: 1\n---\nb: 2\n", text);
    }

    [Fact]
    public void DuplicateKey_IsAnErrorNamingTheLine()
    {
        var e = Assert.Throws<ManifestException>(() => YamlReader.ReadDocuments("a: 1\nb: 2\na: 3\n", "dup.yaml"));
        Assert.Contains("dup.yaml: line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("duplicate key 'a'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SyntaxError_NamesFileAndLine()
    {
        var e = Assert.Throws<ManifestException>(() => YamlReader.ReadDocuments("a: 1\nb: [unclosed\n", "bad.yaml"));
        Assert.StartsWith("bad.yaml: line", e.Message, StringComparison.Ordinal);
        Assert.Contains("Fix the YAML", e.Message, StringComparison.Ordinal);
    }
}
