using System.Text.Json.Nodes;
using Waylay.Inject.Template;

namespace Waylay.Inject.Tests.Template;

public sealed class ContainerOverlayTests
{
    private static readonly JsonObject Rendered = (JsonObject)JsonNode.Parse("""
        {
          "name": "waylay-proxy",
          "image": "docker.io/waylay/waylay:latest",
          "args": ["proxy", "--serviceCluster", "web"],
          "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}, {"name": "MODE", "value": "REDIRECT"}],
          "ports": [{"name": "http-envoy-prom", "containerPort": 15090, "protocol": "TCP"}],
          "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
          "securityContext": {"runAsUser": 1337, "capabilities": {"drop": ["ALL"]}},
          "volumeMounts": [{"name": "waylay-certs", "mountPath": "/etc/certs/", "readOnly": true}]
        }
        """)!;

    private static JsonObject Apply(string overlay) => ContainerOverlay.Apply(Rendered, (JsonObject)JsonNode.Parse(overlay)!);

    [Fact]
    public void UserFieldsWin_AndMapsMergeKeyByKey()
    {
        var merged = Apply("""{"name": "istio-proxy", "resources": {"requests": {"cpu": "1"}, "limits": {"memory": "1Gi"}}, "securityContext": {"runAsUser": 1500}}""");
        Assert.Equal("""{"requests":{"cpu":"1","memory":"128Mi"},"limits":{"memory":"1Gi"}}""", merged["resources"]!.ToJsonString());
        Assert.Equal("""{"runAsUser":1500,"capabilities":{"drop":["ALL"]}}""", merged["securityContext"]!.ToJsonString());
        Assert.Equal("waylay-proxy", merged["name"]!.GetValue<string>());
    }

    [Fact]
    public void Args_AreReplacedWhole()
    {
        var merged = Apply("""{"name": "istio-proxy", "args": ["proxy", "--concurrency", "2"]}""");
        Assert.Equal("""["proxy","--concurrency","2"]""", merged["args"]!.ToJsonString());
    }

    [Fact]
    public void Env_MergesByName_ReplacingTheSameName_AppendingNewOnes()
    {
        var merged = Apply("""{"name": "istio-proxy", "env": [{"name": "LEVEL", "value": "debug"}, {"name": "MODE", "value": "TPROXY"}]}""");
        Assert.Equal(["POD_NAME", "MODE", "LEVEL"], merged["env"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()));
        Assert.Equal("TPROXY", merged["env"]![1]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void VolumeMounts_MergeByMountPath()
    {
        var merged = Apply("""{"name": "istio-proxy", "volumeMounts": [{"name": "waylay-certs", "mountPath": "/etc/certs/", "readOnly": false}, {"name": "extra", "mountPath": "/etc/extra"}]}""");
        Assert.Equal("""[{"name":"waylay-certs","mountPath":"/etc/certs/","readOnly":false},{"name":"extra","mountPath":"/etc/extra"}]""", merged["volumeMounts"]!.ToJsonString());
    }

    [Fact]
    public void Ports_MergeByContainerPortAndProtocol_TcpByDefault()
    {
        var merged = Apply("""{"name": "istio-proxy", "ports": [{"containerPort": 15090, "name": "metrics"}, {"containerPort": 15090, "protocol": "UDP"}]}""");
        Assert.Equal("""[{"name":"metrics","containerPort":15090,"protocol":"TCP"},{"containerPort":15090,"protocol":"UDP"}]""", merged["ports"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"name": "istio-proxy", "image": "auto"}""", "docker.io/waylay/waylay:latest")]
    [InlineData("""{"name": "istio-proxy", "image": null}""", "docker.io/waylay/waylay:latest")]
    [InlineData("""{"name": "istio-proxy", "image": "example.com/waylay:debug"}""", "example.com/waylay:debug")]
    public void Image_Auto_KeepsTheInjectedImage(string overlay, string image)
    {
        Assert.Equal(image, Apply(overlay)["image"]!.GetValue<string>());
    }

    [Fact]
    public void NewFields_AreAdded_AndNeitherInputChanges()
    {
        var before = Rendered.ToJsonString();
        var overlay = (JsonObject)JsonNode.Parse("""{"name": "istio-proxy", "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}}}""")!;
        var merged = ContainerOverlay.Apply(Rendered, overlay);
        Assert.Equal("""{"preStop":{"exec":{"command":["sleep","5"]}}}""", merged["lifecycle"]!.ToJsonString());
        Assert.Equal(before, Rendered.ToJsonString());
        Assert.Equal("""{"name":"istio-proxy","lifecycle":{"preStop":{"exec":{"command":["sleep","5"]}}}}""", overlay.ToJsonString());
    }
}
