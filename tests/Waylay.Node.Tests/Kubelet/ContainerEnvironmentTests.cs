using System.Net;
using Waylay.Inject.Manifests;
using Waylay.Inject.Values;
using Waylay.Node.Images;
using Waylay.Node.Kubelet;
using Waylay.Node.Manifests;

namespace Waylay.Node.Tests.Kubelet;

public sealed class ContainerEnvironmentTests
{
    private const string Manifest = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: shop}
        data: {MODE: fast, COLOUR: blue}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: keys, namespace: shop}
        data: {token: dG9w}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          namespace: shop
          labels: {app: web}
          annotations: {sidecar.istio.io/inject: "false", team: blue}
        spec:
          serviceAccountName: web-sa
          containers:
          - name: web
            image: docker.io/istio/examples-bookinfo-details-v1:1
            command: [/bin/echo]
            args: ["$(POD_IP)", "$(GREETING)", "$$(POD_IP)", "$(UNDEFINED)"]
            envFrom:
            - configMapRef: {name: settings}
              prefix: CFG_
            env:
            - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
            - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
            - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
            - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
            - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
            - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
            - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
            - {name: TEAM, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['team']"}}}
            - {name: TOKEN, valueFrom: {secretKeyRef: {name: keys, key: token}}}
            - {name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: MODE}}}
            - {name: GREETING, value: "hello $(POD_NAME) in $(CFG_COLOUR)"}
          volumes:
          - name: info
            downwardAPI:
              items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]
        """;

    [Fact]
    public void DownwardApi_ConfigMaps_Secrets_AndVarExpansion_AreAsTheKubeletMakesThem()
    {
        var set = ManifestSet.Read([new ManifestInput("shop.yaml", Manifest)], InjectionValues.Default);
        var pod = PodConverter.Convert(set.Pods.Single(), set, ImageTable.ForThisProgram(), "node0", "10.96.0.10");
        var facts = new PodFacts(pod.Pod, "node0", IPAddress.Parse("10.244.0.7"), IPAddress.Parse("10.244.0.1"));
        var web = pod.Containers.Single();

        var env = web.Environment(facts);

        Assert.Equal("web", env["POD_NAME"]);
        Assert.Equal("shop", env["POD_NAMESPACE"]);
        Assert.Equal("10.244.0.7", env["POD_IP"]);
        Assert.Equal("10.244.0.1", env["HOST_IP"]);
        Assert.Equal("node0", env["NODE"]);
        Assert.Equal("web-sa", env["SA"]);
        Assert.Equal("web", env["APP"]);
        Assert.Equal("blue", env["TEAM"]);
        Assert.Equal("top", env["TOKEN"]);
        Assert.Equal("fast", env["MODE"]);
        Assert.Equal("fast", env["CFG_MODE"]);
        Assert.Equal("hello web in blue", env["GREETING"]);
        Assert.Equal(["/bin/echo", "10.244.0.7", "hello web in blue", "$(POD_IP)", "$(UNDEFINED)"], pod.ContainerSpecFor(web, facts).Command);
        Assert.Equal("app=\"web\"", pod.Spec.Volumes.Single().Files["labels"]);
    }

    [Fact]
    public void MissingSecret_IsAnError_NamingThePodAndTheFix()
    {
        var set = ManifestSet.Read([new ManifestInput("shop.yaml", Manifest.Replace("name: keys, key", "name: other, key", StringComparison.Ordinal))], InjectionValues.Default);

        var error = Assert.Throws<PodConversionException>(() => PodConverter.Convert(set.Pods.Single(), set, ImageTable.ForThisProgram(), "node0", "10.96.0.10"));

        Assert.Contains("pod shop/web", error.Message, StringComparison.Ordinal);
        Assert.Contains("Secret other is not in the manifests", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a$(X)b", "a1b")]
    [InlineData("$$(X)", "$(X)")]
    [InlineData("$(Y)", "$(Y)")]
    [InlineData("$X $", "$X $")]
    public void VarExpansion_FollowsKubernetes(string input, string expected) =>
        Assert.Equal(expected, VarExpansion.Expand(input, n => n == "X" ? "1" : null));
}
