using System.Text.Json.Nodes;
using Waylay.Inject.Manifests;

namespace Waylay.Node.Up;

/// <summary>
/// The control plane as <c>waylay up</c> runs it: a real pod <c>waylay-control</c> in <c>waylay-system</c> with its
/// Service (15010 grpc-xds, 15014 http-monitoring), so the <c>--discoveryAddress</c> the injector writes
/// (<c>waylay-control.waylay-system:15010</c>) resolves through the run's DNS and reaches it unchanged: the node passes
/// a sidecar nothing a cluster would not. It runs <c>waylay control -f</c> on a ConfigMap volume the node keeps
/// current with the run's Services (their ClusterIPs) and Istio's routing objects (<see cref="ControlPlaneFeed"/>), as a
/// cluster's API server would hold them; pods reach it through its registration API.
/// </summary>
internal static class ControlPlane
{
    public const string Namespace = "waylay-system";
    public const string Name = "waylay-control";
    public const ushort Port = 15010;

    /// <summary>The ConfigMap volume the control plane watches, and where it is mounted.</summary>
    public const string ConfigVolume = "waylay-control-config";
    public const string ConfigPath = "/etc/waylay/control";

    /// <summary>Whether the manifests leave it to <c>waylay up</c>: no <c>waylay-control</c> Service of their own.</summary>
    public static bool Wanted(IEnumerable<JsonObject> objects) => !objects.Any(o =>
        (string?)o["kind"] == "Service" && (string?)o["metadata"]?["name"] == Name && (string?)o["metadata"]?["namespace"] == Namespace);

    /// <summary>The objects the control plane configures proxies from: Services and Istio's networking resources.</summary>
    public static bool Feeds(JsonObject o) => (string?)o["kind"] is "Service" or "VirtualService" or "DestinationRule" or "Gateway";

    public static ManifestInput Manifest() => new("(waylay up: the control plane)", $$$"""
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
          - {name: http-monitoring, port: 15014, targetPort: 15014, protocol: TCP}
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
              securityContext: {runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true}
              containers:
              - name: control
                image: waylay/waylay
                args: [control, -f, {{{ConfigPath}}}, --poll-interval, 500ms]
                ports:
                - {name: grpc-xds, containerPort: {{{Port}}}, protocol: TCP}
                - {name: http-monitoring, containerPort: 15014, protocol: TCP}
                readinessProbe:
                  httpGet: {path: /ready, port: 15014, scheme: HTTP}
                  periodSeconds: 1
                  failureThreshold: 60
                volumeMounts:
                - {name: {{{ConfigVolume}}}, mountPath: {{{ConfigPath}}}}
              volumes:
              - name: {{{ConfigVolume}}}
                configMap: {name: {{{ConfigVolume}}}}
        """);
}
