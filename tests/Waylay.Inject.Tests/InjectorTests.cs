using System.Text.Json.Nodes;
using Waylay.Inject.Values;
using static Waylay.Inject.Tests.InjectTestKit;

namespace Waylay.Inject.Tests;

public sealed class InjectorTests
{
    private const string Plain = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: example.com/web:1
        """;

    [Fact]
    public void Injects_InitProxyVolumesAndStatus()
    {
        var result = InjectYaml(Plain);
        Assert.Equal(InjectionDecision.Injected, result.Decision);
        Assert.Equal(["web", "waylay-proxy"], Names(result.Pod, "containers"));
        Assert.Equal(["waylay-init"], Names(result.Pod, "initContainers"));
        Assert.Equal(["waylay-envoy", "waylay-certs"], Names(result.Pod, "volumes"));
        var status = JsonNode.Parse(result.Pod["metadata"]!["annotations"]!["sidecar.waylay.io/status"]!.GetValue<string>())!;
        Assert.Matches("^[0-9a-f]{64}$", status["version"]!.GetValue<string>());
        Assert.Null(status["imagePullSecrets"]);
    }

    [Fact]
    public void DoesNotModifyItsInput()
    {
        var pod = Pod(Plain);
        var before = pod.ToJsonString();
        Injector.Inject(pod, new InjectionContext(InjectionValues.Default, null, "web"));
        Assert.Equal(before, pod.ToJsonString());
    }

    [Fact]
    public void Proxy_RunsAs1337_WithDownwardApiIdentity()
    {
        var proxy = Container(InjectYaml(Plain).Pod, "waylay-proxy");
        var security = proxy["securityContext"]!;
        Assert.Equal(1337L, security["runAsUser"]!.GetValue<long>());
        Assert.Equal(1337L, security["runAsGroup"]!.GetValue<long>());
        Assert.True(security["readOnlyRootFilesystem"]!.GetValue<bool>());
        var env = proxy["env"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!);
        Assert.Equal("metadata.name", env["POD_NAME"]["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>());
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"]["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>());
        Assert.Equal("status.podIP", env["INSTANCE_IP"]["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>());
        Assert.Equal("spec.serviceAccountName", env["SERVICE_ACCOUNT"]["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>());
        Assert.Equal("REDIRECT", env["ISTIO_META_INTERCEPTION_MODE"]["value"]!.GetValue<string>());
        Assert.Equal([15090, 15021], proxy["ports"]!.AsArray().Select(p => p!["containerPort"]!.GetValue<int>()));
        Assert.Equal("/healthz/ready", proxy["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("100m", proxy["resources"]!["requests"]!["cpu"]!.GetValue<string>());
        Assert.Equal("128Mi", proxy["resources"]!["requests"]!["memory"]!.GetValue<string>());
        var args = Args(proxy);
        Assert.Equal("web", args[args.ToList().IndexOf("--serviceCluster") + 1]);
    }

    [Fact]
    public void ServiceCluster_FallsBackToTheWorkloadName()
    {
        var result = Injector.Inject(Pod(Plain.Replace("labels: {app: web}", "labels: {tier: front}", StringComparison.Ordinal)), new InjectionContext(InjectionValues.Default, null, "frontend"));
        var args = Args(Container(result.Pod, "waylay-proxy")).ToList();
        Assert.Equal("frontend", args[args.IndexOf("--serviceCluster") + 1]);
    }

    [Theory]
    [InlineData("kube-system")]
    [InlineData("kube-public")]
    [InlineData("kube-node-lease")]
    public void SystemNamespaces_AreSkipped(string ns)
    {
        var result = InjectYaml(Plain, ns: ns);
        Assert.Equal(InjectionDecision.SkippedSystemNamespace, result.Decision);
        Assert.Contains(ns, result.Reason, StringComparison.Ordinal);
        Assert.Same(Pod(Plain).GetType(), result.Pod.GetType());
        Assert.Null(result.Pod["spec"]!["initContainers"]);
    }

    [Fact]
    public void HostNetwork_IsSkippedWithAWarning()
    {
        var result = InjectYaml(Plain + "\n  hostNetwork: true");
        Assert.Equal(InjectionDecision.SkippedHostNetwork, result.Decision);
        Assert.Contains(result.Warnings, w => w.Contains("hostNetwork", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("labels", "sidecar.waylay.io/inject", "false", "SkippedOptOut")]
    [InlineData("labels", "sidecar.istio.io/inject", "False", "SkippedOptOut")]
    [InlineData("annotations", "sidecar.waylay.io/inject", "false", "SkippedOptOut")]
    [InlineData("annotations", "sidecar.istio.io/inject", "no", "SkippedOptOut")]
    [InlineData("annotations", "sidecar.istio.io/inject", "true", "Injected")]
    public void OptOut_ByLabelOrAnnotation(string where, string key, string value, string expected)
    {
        var yaml = $$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              {{where}}: {"{{key}}": "{{value}}"}
            spec:
              containers:
              - name: web
                image: example.com/web:1
            """;
        Assert.Equal(expected, InjectYaml(yaml).Decision.ToString());
    }

    [Fact]
    public void Label_WinsOverAnnotation()
    {
        var yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels: {sidecar.istio.io/inject: "true"}
              annotations: {sidecar.waylay.io/inject: "false"}
            spec:
              containers:
              - name: web
                image: example.com/web:1
            """;
        Assert.Equal(InjectionDecision.Injected, InjectYaml(yaml).Decision);
    }

    [Fact]
    public void AlreadyInjected_IsANoOp_UnlessForced()
    {
        var once = InjectYaml(Plain).Pod;
        var again = Injector.Inject(once, new InjectionContext(InjectionValues.Default, null, "web"));
        Assert.Equal(InjectionDecision.SkippedAlreadyInjected, again.Decision);
        Assert.Contains("--force", again.Reason, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(once, again.Pod));
    }

    [Fact]
    public void Force_ReplacesWhatTheOldInjectionAdded_AndNothingElse()
    {
        var native = InjectionValues.Default with { NativeSidecar = true, Image = "example.com/waylay:old" };
        var old = Injector.Inject(Pod(Plain), new InjectionContext(native, null, "web")).Pod;

        // Something the user added after that injection must survive the re-injection.
        old["spec"]!["containers"]!.AsArray().Add(new JsonObject { ["name"] = "late", ["image"] = "example.com/late:1" });
        old["spec"]!["volumes"]!.AsArray().Add(new JsonObject { ["name"] = "late-volume", ["emptyDir"] = new JsonObject() });

        var result = Injector.Inject(old, new InjectionContext(InjectionValues.Default, null, "web", Force: true));
        Assert.Equal(InjectionDecision.Reinjected, result.Decision);
        Assert.Equal(["web", "late", "waylay-proxy"], Names(result.Pod, "containers"));
        Assert.Equal(["waylay-init"], Names(result.Pod, "initContainers"));
        Assert.Equal(["late-volume", "waylay-envoy", "waylay-certs"], Names(result.Pod, "volumes"));
        Assert.Equal("docker.io/waylay/waylay:latest", Container(result.Pod, "waylay-proxy")["image"]!.GetValue<string>());
    }

    [Fact]
    public void Force_RestoresRewrittenProbes_BeforeInjectingAgain()
    {
        var yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers:
              - name: web
                image: example.com/web:1
                ports: [{name: http, containerPort: 8080}]
                livenessProbe: {tcpSocket: {port: http}, periodSeconds: 5}
            """;
        var once = InjectYaml(yaml).Pod;
        var uninjected = (JsonObject)once.DeepClone();
        var status = Inject.Template.SidecarStatus.TryParse(once["metadata"]!["annotations"]!["sidecar.waylay.io/status"]!.GetValue<string>(), out _)!;
        Uninjection.Remove(uninjected, status);
        uninjected["metadata"]!.AsObject().Remove("annotations");
        Assert.True(JsonNode.DeepEquals(Pod(yaml), uninjected), uninjected.ToJsonString());
    }

    [Fact]
    public void InvalidAnnotations_AreRejected_AllAtOnce()
    {
        var result = InjectYaml(PodWithAnnotations("""
            traffic.sidecar.istio.io/includeInboundPorts: "80,http"
            traffic.sidecar.waylay.io/excludeOutboundIPRanges: "10.0.0.0/33"
            sidecar.istio.io/interceptionMode: NONE
            proxy.istio.io/config: "holdApplicationUntilProxyStarts: maybe"
            """));
        Assert.Equal(InjectionDecision.Rejected, result.Decision);
        Assert.Contains("'http' is not a port", result.Reason, StringComparison.Ordinal);
        Assert.Contains("'10.0.0.0/33' is not a CIDR", result.Reason, StringComparison.Ordinal);
        Assert.Contains("'NONE' is not an interception mode; use REDIRECT or TPROXY", result.Reason, StringComparison.Ordinal);
        Assert.Contains("holdApplicationUntilProxyStarts must be true or false", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ReservedVolumeNames_AreRejected()
    {
        var result = InjectYaml(Plain + "\n  volumes: [{name: waylay-certs, emptyDir: {}}]");
        Assert.Equal(InjectionDecision.Rejected, result.Decision);
        Assert.Contains("volume 'waylay-certs': the name is reserved", result.Reason, StringComparison.Ordinal);
    }

    private const string Customized = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels: {app: web}
          annotations: {team: a}
        spec:
          containers:
          - name: web
            image: example.com/web:1
            livenessProbe: {httpGet: {path: /healthz, port: 8080}}
          - name: istio-proxy
            image: auto
            resources: {limits: {memory: 1Gi}}
            securityContext: {runAsUser: 1500}
        """;

    [Fact]
    public void Customization_OnlyAContainerNamedLikeTheSidecar_IsRejected()
    {
        var result = InjectYaml(Plain.Replace("- name: web", "- name: waylay-proxy", StringComparison.Ordinal));
        Assert.Equal(InjectionDecision.Rejected, result.Decision);
        Assert.Contains("no containers besides its customization", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Customization_TwoForTheSameContainer_AreRejected()
    {
        var result = InjectYaml(Customized + "\n  initContainers: [{name: waylay-proxy, image: auto}]");
        Assert.Equal(InjectionDecision.Rejected, result.Decision);
        Assert.Contains("containers 'istio-proxy' and initContainers 'waylay-proxy' both customize the injected waylay-proxy container", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Customization_IsMergedIntoTheProxy_AndTheCaptureExemptsItsUid()
    {
        var result = InjectYaml(Customized);
        Assert.Equal(InjectionDecision.Injected, result.Decision);
        Assert.Equal(["web", "waylay-proxy"], Names(result.Pod, "containers"));
        var proxy = Container(result.Pod, "waylay-proxy");
        Assert.Equal("docker.io/waylay/waylay:latest", proxy["image"]!.GetValue<string>());
        Assert.Equal("1Gi", proxy["resources"]!["limits"]!["memory"]!.GetValue<string>());
        Assert.Equal("128Mi", proxy["resources"]!["requests"]!["memory"]!.GetValue<string>());
        Assert.Equal(1500, proxy["securityContext"]!["runAsUser"]!.GetValue<int>());
        var capture = Args(Container(result.Pod, "waylay-init", "initContainers")).ToList();
        Assert.Equal("1500", capture[capture.IndexOf("-u") + 1]);
        var proxyArgs = Args(proxy).ToList();
        Assert.Equal("1500", proxyArgs[proxyArgs.IndexOf("--proxy-uid") + 1]);
        Assert.Contains("istio-proxy", result.Pod["metadata"]!["annotations"]!["proxy.waylay.io/overrides"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Customization_InTheNativeLayout_CustomizesTheInitContainerProxy()
    {
        var result = InjectYaml(Customized, InjectionValues.Default with { NativeSidecar = true });
        Assert.Equal(["web"], Names(result.Pod, "containers"));
        var proxy = Container(result.Pod, "waylay-proxy", "initContainers");
        Assert.Equal("Always", proxy["restartPolicy"]!.GetValue<string>());
        Assert.Equal("1Gi", proxy["resources"]!["limits"]!["memory"]!.GetValue<string>());
    }

    [Fact]
    public void Customization_UnderTproxy_KeepsTheProxyRoot_WithAWarning()
    {
        var result = InjectYaml(Customized.Replace("annotations: {team: a}", "annotations: {sidecar.istio.io/interceptionMode: TPROXY}", StringComparison.Ordinal));
        Assert.Equal(0, Container(result.Pod, "waylay-proxy")["securityContext"]!["runAsUser"]!.GetValue<int>());
        var capture = Args(Container(result.Pod, "waylay-init", "initContainers")).ToList();
        Assert.Equal("1337", capture[capture.IndexOf("-u") + 1]);
        Assert.Contains(result.Warnings, w => w.Contains("runAsUser 1500 is not used", StringComparison.Ordinal));
    }

    [Fact]
    public void Uninjection_KeepsTheCustomizationInItsAnnotation_AndRemovesTheRestItAdded()
    {
        var injected = InjectYaml(Customized).Pod;
        var status = Inject.Template.SidecarStatus.TryParse(injected["metadata"]!["annotations"]!["sidecar.waylay.io/status"]!.GetValue<string>(), out _)!;
        Uninjection.Remove(injected, status);

        var original = Pod(Customized);
        var customization = original["spec"]!["containers"]![1]!.DeepClone();
        Assert.Equal(["web"], Names(injected, "containers"));
        Assert.True(JsonNode.DeepEquals(original["spec"]!["containers"]![0], injected["spec"]!["containers"]![0]), "the app's probe is restored");
        Assert.Null(injected["spec"]!["initContainers"]);
        Assert.Null(injected["spec"]!["volumes"]);
        var annotations = injected["metadata"]!["annotations"]!.AsObject();
        Assert.Equal(["team", "kubectl.kubernetes.io/default-container", "proxy.waylay.io/overrides"], annotations.Select(a => a.Key));
        var kept = JsonNode.Parse(annotations["proxy.waylay.io/overrides"]!.GetValue<string>())!;
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["containers"] = new JsonArray(customization) }, kept), kept.ToJsonString());
    }

    [Fact]
    public void Customization_ByIstiosOverridesAnnotation_IsApplied_AndWinsOverAContainer()
    {
        var yaml = Customized.Replace("annotations: {team: a}", """annotations: {proxy.istio.io/overrides: '{"containers":[{"name":"istio-proxy","lifecycle":{"preStop":{"exec":{"command":["sleep","20"]}}}}]}'}""", StringComparison.Ordinal);
        var result = InjectYaml(yaml);
        Assert.Equal(InjectionDecision.Injected, result.Decision);
        var proxy = Container(result.Pod, "waylay-proxy");
        Assert.Equal("20", proxy["lifecycle"]!["preStop"]!["exec"]!["command"]![1]!.GetValue<string>());
        Assert.Null(proxy["resources"]!["limits"]);
        Assert.Contains(result.Warnings, w => w.Contains("containers 'istio-proxy' is not used: proxy.istio.io/overrides customizes the same container", StringComparison.Ordinal));

        var annotationOnly = InjectYaml(yaml.Replace("""
              - name: istio-proxy
                image: auto
                resources: {limits: {memory: 1Gi}}
                securityContext: {runAsUser: 1500}
            """, "", StringComparison.Ordinal)).Pod;
        Assert.Equal(["web", "waylay-proxy"], Names(annotationOnly, "containers"));
        Assert.Null(annotationOnly["metadata"]!["annotations"]!["proxy.waylay.io/overrides"]);
        Assert.NotNull(annotationOnly["metadata"]!["annotations"]!["proxy.istio.io/overrides"]);
        Assert.NotNull(Container(annotationOnly, "waylay-proxy")["lifecycle"]);
    }

    [Fact]
    public void Force_KeepsTheCustomization_UnderNewValues()
    {
        var once = InjectYaml(Customized).Pod;
        var values = InjectionValues.Default with { Image = "example.com/waylay:2" };
        var again = Injector.Inject(once, new InjectionContext(values, null, "web", Force: true));
        Assert.Equal(InjectionDecision.Reinjected, again.Decision);
        var proxy = Container(again.Pod, "waylay-proxy");
        Assert.Equal("example.com/waylay:2", proxy["image"]!.GetValue<string>());
        Assert.Equal("1Gi", proxy["resources"]!["limits"]!["memory"]!.GetValue<string>());
        Assert.Equal(["web", "waylay-proxy"], Names(again.Pod, "containers"));
    }

    [Fact]
    public void Force_WithABrokenOverridesAnnotation_IsRejected()
    {
        var once = InjectYaml(Customized).Pod;
        once["metadata"]!["annotations"]!["proxy.waylay.io/overrides"] = "{\"containers\": 1}";
        var again = Injector.Inject(once, new InjectionContext(InjectionValues.Default, null, "web", Force: true));
        Assert.Equal(InjectionDecision.Rejected, again.Decision);
        Assert.Contains("proxy.waylay.io/overrides", again.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Force_OfAnIstioPodWithMergedMetrics_GivesTheAppItsAnnotationsBack()
    {
        var istio = Pod("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels: {app: web}
              annotations:
                prometheus.io/port: "15020"
                prometheus.io/path: /stats/prometheus
                prometheus.io/scrape: "true"
                sidecar.istio.io/status: '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":[],"imagePullSecrets":null}'
            spec:
              initContainers:
              - {name: istio-init, image: istio/proxyv2}
              containers:
              - {name: web, image: example.com/web:1}
              - name: istio-proxy
                image: istio/proxyv2
                env: [{name: ISTIO_PROMETHEUS_ANNOTATIONS, value: '{"scrape":"true","port":"9102","path":"/metrics"}'}]
            """);
        var result = Injector.Inject(istio, new InjectionContext(InjectionValues.Default, null, "web", Force: true));
        Assert.Equal(InjectionDecision.Reinjected, result.Decision);
        var annotations = result.Pod["metadata"]!["annotations"]!;
        Assert.Equal("9102", annotations["prometheus.io/port"]!.GetValue<string>());
        Assert.Equal("/metrics", annotations["prometheus.io/path"]!.GetValue<string>());
    }

    [Fact]
    public void MergeMetricsAnnotation_ThatIsNotABoolean_IsRejected()
    {
        var result = InjectYaml(PodWithAnnotations("prometheus.istio.io/merge-metrics: sometimes"));
        Assert.Equal(InjectionDecision.Rejected, result.Decision);
        Assert.Contains("prometheus.istio.io/merge-metrics: 'sometimes' is not a boolean", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EnablePrometheusMergeFalse_AddsNoScrapeAnnotations_UnlessThePodAsks()
    {
        var values = InjectionValues.Default with { EnablePrometheusMerge = false };
        Assert.Null(InjectYaml(Plain, values).Pod["metadata"]!["annotations"]!["prometheus.io/scrape"]);
        var asked = InjectYaml(PodWithAnnotations("prometheus.istio.io/merge-metrics: \"true\""), values).Pod;
        Assert.Equal("15090", asked["metadata"]!["annotations"]!["prometheus.io/port"]!.GetValue<string>());
    }

    [Fact]
    public void Force_RestoresANativeSidecarsProbes()
    {
        var yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              initContainers:
              - name: shipper
                image: example.com/shipper:1
                restartPolicy: Always
                ports: [{name: admin, containerPort: 2020}]
                startupProbe: {httpGet: {path: /up, port: admin}}
                livenessProbe: {tcpSocket: {port: 2020}}
              containers:
              - {name: web, image: example.com/web:1}
            """;
        var native = InjectionValues.Default with { NativeSidecar = true };
        var once = InjectYaml(yaml, native).Pod;
        var shipper = Container(once, "shipper", "initContainers");
        Assert.Equal("/app-health/shipper/startupz", shipper["startupProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("/app-health/shipper/livez", shipper["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());

        var status = Inject.Template.SidecarStatus.TryParse(once["metadata"]!["annotations"]!["sidecar.waylay.io/status"]!.GetValue<string>(), out _)!;
        Uninjection.Remove(once, status);
        once["metadata"]!.AsObject().Remove("annotations");
        Assert.True(JsonNode.DeepEquals(Pod(yaml), once), once.ToJsonString());
    }

    [Fact]
    public void ClassicLayout_LeavesANativeSidecarsStartupProbe_WithAWarning()
    {
        var result = InjectYaml("""
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              initContainers:
              - name: shipper
                image: example.com/shipper:1
                restartPolicy: Always
                startupProbe: {httpGet: {path: /up, port: 2020}}
              containers:
              - {name: web, image: example.com/web:1}
            """);
        Assert.Equal("/up", Container(result.Pod, "shipper", "initContainers")["startupProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Contains(result.Warnings, w => w.Contains("init container 'shipper' startupProbe: left as it is", StringComparison.Ordinal));
    }

    [Fact]
    public void SchemaErrors_AreRejected_NamingTheField()
    {
        var result = InjectYaml("""
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers:
              - name: web
                ports: [{containerPort: "eighty"}]
            """);
        Assert.Equal(InjectionDecision.Rejected, result.Decision);
        Assert.Contains("containerPort", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void NoContainers_IsRejected()
    {
        var result = InjectYaml("{apiVersion: v1, kind: Pod, metadata: {name: x}, spec: {containers: []}}");
        Assert.Equal(InjectionDecision.Rejected, result.Decision);
    }

    [Fact]
    public void Tproxy_ProxyRunsAsRootWithGid1337AndNetAdmin()
    {
        var result = InjectYaml(PodWithAnnotations("sidecar.istio.io/interceptionMode: TPROXY"));
        var proxy = Container(result.Pod, "waylay-proxy");
        Assert.Equal(0, proxy["securityContext"]!["runAsUser"]!.GetValue<int>());
        Assert.Equal(1337L, proxy["securityContext"]!["runAsGroup"]!.GetValue<long>());
        Assert.Equal(["NET_ADMIN"], proxy["securityContext"]!["capabilities"]!["add"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Contains("--tproxy", Args(proxy));
    }

    [Fact]
    public void NativeSidecar_ProxyIsARestartableInitContainerAfterInit()
    {
        var result = InjectYaml(Plain, InjectionValues.Default with { NativeSidecar = true });
        Assert.Equal(["waylay-init", "waylay-proxy"], Names(result.Pod, "initContainers"));
        Assert.Equal(["web"], Names(result.Pod, "containers"));
        var proxy = Container(result.Pod, "waylay-proxy", "initContainers");
        Assert.Equal("Always", proxy["restartPolicy"]!.GetValue<string>());
        Assert.NotNull(proxy["startupProbe"]);
    }

    [Fact]
    public void NativeSidecar_CanBeAskedForByAnnotation()
    {
        var result = InjectYaml(PodWithAnnotations("sidecar.istio.io/nativeSidecar: \"true\""));
        Assert.Equal(["waylay-init", "waylay-proxy"], Names(result.Pod, "initContainers"));
    }

    [Fact]
    public void Hold_PutsTheProxyFirst_WithAPostStartWait()
    {
        var result = InjectYaml(PodWithAnnotations("proxy.istio.io/config: '{\"holdApplicationUntilProxyStarts\": true}'"));
        Assert.Equal(["waylay-proxy", "web"], Names(result.Pod, "containers"));
        var command = Container(result.Pod, "waylay-proxy")["lifecycle"]!["postStart"]!["exec"]!["command"]!.AsArray().Select(c => c!.GetValue<string>());
        Assert.Equal(["waylay", "proxy", "wait-ready"], command);
        Assert.Equal("web", result.Pod["metadata"]!["annotations"]!["kubectl.kubernetes.io/default-container"]!.GetValue<string>());
    }

    [Fact]
    public void Hold_WithAnotherAdminPort_WaitsOnThatPort()
    {
        var values = InjectionValues.Default with { HoldApplicationUntilProxyStarts = true, Ports = new ProxyPorts { Admin = 16000 } };
        var proxy = Container(InjectYaml(Plain, values).Pod, "waylay-proxy");
        var command = proxy["lifecycle"]!["postStart"]!["exec"]!["command"]!.AsArray().Select(c => c!.GetValue<string>());
        Assert.Equal(["waylay", "proxy", "wait-ready", "--proxyAdminPort", "16000"], command);
        var args = Args(proxy).ToList();
        Assert.Equal("16000", args[args.IndexOf("--proxyAdminPort") + 1]);
    }

    [Fact]
    public void StatusVersion_ChangesWithTheValues()
    {
        Assert.NotEqual(Inject.Template.SidecarTemplate.Version(InjectionValues.Default), Inject.Template.SidecarTemplate.Version(InjectionValues.Default with { Image = "x:1" }));
        Assert.Equal(Inject.Template.SidecarTemplate.Version(InjectionValues.Default), Inject.Template.SidecarTemplate.Version(InjectionValues.Default with { }));
    }
}
