using System.Text.Json.Nodes;
using Waylay.Inject.Patch;

namespace Waylay.Inject.Tests.Patch;

public sealed class JsonPatchBuilderTests
{
    [Theory]
    [InlineData("{}", "{}")]
    [InlineData("{\"a\":1}", "{\"a\":2}")]
    [InlineData("{\"a\":1,\"b\":2}", "{\"b\":2,\"c\":[1,2]}")]
    [InlineData("[1,2,3]", "[0,1,2,3,4]")]
    [InlineData("[1,2,3,4,5]", "[1,5]")]
    [InlineData("[1,2,3]", "[3,2,1]")]
    [InlineData("{\"a\":[{\"name\":\"x\",\"v\":1},{\"name\":\"y\"}]}", "{\"a\":[{\"name\":\"p\"},{\"name\":\"x\",\"v\":2},{\"name\":\"y\"},{\"name\":\"z\"}]}")]
    [InlineData("{\"a\":[{\"name\":\"x\"},{\"name\":\"y\"},{\"name\":\"z\"}]}", "{\"a\":[{\"name\":\"z\"},{\"name\":\"x\"}]}")]
    [InlineData("{\"a\":[{\"name\":\"x\"}]}", "{\"a\":[{\"name\":\"x\"},{\"other\":1}]}")]
    [InlineData("{\"m\":{\"sidecar.waylay.io/status\":\"1\",\"a~b\":1}}", "{\"m\":{\"sidecar.waylay.io/status\":\"2\",\"a~b\":2,\"new/key\":null}}")]
    [InlineData("{\"a\":{\"b\":1}}", "{\"a\":[1]}")]
    [InlineData("1", "{\"a\":1}")]
    public void AppliedPatch_GivesTheTarget(string from, string to)
    {
        var source = JsonNode.Parse(from);
        var target = JsonNode.Parse(to);
        var patch = JsonPatchBuilder.Diff(source, target);
        Assert.True(JsonNode.DeepEquals(target, JsonPatchApplier.Apply(source, patch)), patch.ToJsonString());
    }

    [Fact]
    public void Pointers_EscapeSlashAndTilde()
    {
        var patch = JsonPatchBuilder.Diff(JsonNode.Parse("{\"annotations\":{}}"), JsonNode.Parse("{\"annotations\":{\"sidecar.waylay.io/status\":\"x\",\"a~b\":1}}"));
        Assert.Equal("/annotations/sidecar.waylay.io~1status", patch[0]!["path"]!.GetValue<string>());
        Assert.Equal("/annotations/a~0b", patch[1]!["path"]!.GetValue<string>());
    }

    [Fact]
    public void InsertingANamedItemInFront_IsOneAdd()
    {
        var patch = JsonPatchBuilder.Diff(
            JsonNode.Parse("{\"containers\":[{\"name\":\"app\",\"image\":\"a\"}]}"),
            JsonNode.Parse("{\"containers\":[{\"name\":\"proxy\"},{\"name\":\"app\",\"image\":\"a\"}]}"));
        var op = Assert.Single(patch);
        Assert.Equal("add", op!["op"]!.GetValue<string>());
        Assert.Equal("/containers/0", op["path"]!.GetValue<string>());
    }

    [Fact]
    public void EqualTrees_GiveAnEmptyPatch()
    {
        Assert.Empty(JsonPatchBuilder.Diff(JsonNode.Parse("{\"a\":[1,{\"b\":null}]}"), JsonNode.Parse("{\"a\":[1,{\"b\":null}]}")));
    }
}
