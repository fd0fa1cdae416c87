using System.Text.Json.Nodes;
using Waylay.Inject.Install;
using Waylay.Inject.Manifests;

namespace Waylay.Node.Up;

/// <summary>
/// The control plane as <c>waylay up</c> runs it: a real pod <c>waylay-control</c> in <c>waylay-system</c> with its
/// Service (15010 grpc-xds, 15014 http-monitoring), so the <c>--discoveryAddress</c> the injector writes
/// (<c>waylay-control.waylay-system:15010</c>) resolves through the run's DNS and reaches it unchanged: the node passes
/// a sidecar nothing a cluster would not. It runs <c>waylay control -f</c> on a ConfigMap volume the node keeps
/// current with the run's Services (their ClusterIPs) and Istio's routing objects (<see cref="ControlPlaneFeed"/>), as a
/// cluster's API server would hold them; pods reach it through its registration API.
/// Its container is the install manifests' (<c>waylay install</c>, Waylay.Control's ControlManifests.cs): the injector's
/// image, <c>control … --port 15010 --debug-port 15014</c>, the restricted securityContext (uid 65532, read-only root, no
/// capabilities); only its source differs, <c>-f</c> for <c>--in-cluster</c>, as there is no API server here. With
/// <c>--runtime oci</c> it runs from that image (pulled as the sidecars' is: the injector's imagePullPolicy, IfNotPresent, so a
/// loaded image runs without asking a registry); with the process runtime the image table maps it to the CLI.
/// </summary>
internal static class ControlPlane
{
    public const string Namespace = "waylay-system";
    public const string Name = "waylay-control";
    public const ushort Port = 15010;
    public const ushort DebugPort = 15014;

    /// <summary>The ConfigMap volume the control plane watches, and where it is mounted.</summary>
    public const string ConfigVolume = "waylay-control-config";
    public const string ConfigPath = "/etc/waylay/control";

    /// <summary>Whether the manifests leave it to <c>waylay up</c>: no <c>waylay-control</c> Service of their own.</summary>
    public static bool Wanted(IEnumerable<JsonObject> objects) => !objects.Any(o =>
        (string?)o["kind"] == "Service" && (string?)o["metadata"]?["name"] == Name && (string?)o["metadata"]?["namespace"] == Namespace);

    /// <summary>The objects the control plane configures proxies from: Services and Istio's networking resources.</summary>
    public static bool Feeds(JsonObject o) => (string?)o["kind"] is "Service" or "VirtualService" or "DestinationRule" or "Gateway";

    /// <summary>Its objects, the container running <paramref name="image"/> (the injector's, so the sidecars' too).</summary>
    public static ManifestInput Manifest(string image) => new("(waylay up: the control plane)", $$$"""
        apiVersion: v1
        kind: Namespace
        metadata: {name: {{{Namespace}}}}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: {{{Name}}}, namespace: {{{Namespace}}}}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: {{{ConfigVolume}}}, namespace: {{{Namespace}}}}
        data:
          objects.yaml: ""
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: {{{Name}}}
          namespace: {{{Namespace}}}
          labels: {app: {{{Name}}}}
        spec:
          selector: {app: {{{Name}}}}
          ports:
          - {name: grpc-xds, port: {{{Port}}}, targetPort: {{{Port}}}, protocol: TCP}
          - {name: http-monitoring, port: {{{DebugPort}}}, targetPort: {{{DebugPort}}}, protocol: TCP}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{{Name}}}
          namespace: {{{Namespace}}}
          labels: {app: {{{Name}}}}
        spec:
          replicas: 1
          selector:
            matchLabels: {app: {{{Name}}}}
          template:
            metadata:
              labels: {app: {{{Name}}}}
              annotations: {sidecar.istio.io/inject: "false"}
            spec:
              serviceAccountName: {{{Name}}}
              containers:
              - name: control
                image: {{{image}}}
                imagePullPolicy: {{{Waylay.Inject.Values.InjectionValues.Default.ImagePullPolicy}}}
                args: [control, -f, {{{ConfigPath}}}, --poll-interval, 500ms, --port, "{{{Port}}}", --debug-port, "{{{DebugPort}}}"]
                ports:
                - {name: grpc-xds, containerPort: {{{Port}}}, protocol: TCP}
                - {name: http-monitoring, containerPort: {{{DebugPort}}}, protocol: TCP}
                readinessProbe:
                  httpGet: {path: /ready, port: {{{DebugPort}}}, scheme: HTTP}
                  periodSeconds: 1
                  failureThreshold: 60
                securityContext:
                  allowPrivilegeEscalation: false
                  capabilities: {drop: [ALL]}
                  readOnlyRootFilesystem: true
                  runAsNonRoot: true
                  runAsUser: {{{RestrictedContainer.User}}}
                  runAsGroup: {{{RestrictedContainer.User}}}
                volumeMounts:
                - {name: {{{ConfigVolume}}}, mountPath: {{{ConfigPath}}}}
              volumes:
              - name: {{{ConfigVolume}}}
                configMap: {name: {{{ConfigVolume}}}}
        """);
}
