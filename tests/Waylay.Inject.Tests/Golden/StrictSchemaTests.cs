using Waylay.Inject.Yaml;

namespace Waylay.Inject.Tests.Golden;

/// <summary>The strict check the golden tests rely on must itself fail on a field the schema does not know.</summary>
public sealed class StrictSchemaTests
{
    [Theory]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: b, imagePullPolicyy: Always}]}\n")]
    [InlineData("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: [{name: a, securityContext: {runAsUserr: 1}}]}}}\n")]
    public void UnknownField_Fails(string yaml)
    {
        Assert.ThrowsAny<Exception>(() => StrictSchema.Validate(YamlReader.ReadDocuments(yaml, "t")[0]!));
    }

    [Fact]
    public void KnownFields_Pass()
    {
        StrictSchema.Validate(YamlReader.ReadDocuments("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: b, imagePullPolicy: Always}]}\n", "t")[0]!);
    }
}
