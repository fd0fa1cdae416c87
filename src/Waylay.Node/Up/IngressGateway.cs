using System.Text.Json.Nodes;
using Waylay.Inject.Manifests;
using Waylay.Mesh.Networking;

namespace Waylay.Node.Up;

/// <summary>
/// Istio's <c>istio-ingressgateway</c>, as <c>istioctl install</c> (default profile) makes it, for <c>waylay up</c>:
/// namespace istio-system, labels <c>app: istio-ingressgateway</c> and <c>istio: ingressgateway</c> (so Istio's
/// Gateways select it unchanged), not injected, uid 1337, the pod's labels in the downward-API file Istio's
/// gateway reads (<c>/etc/istio/pod/labels</c>), readiness on 15021, and a Service mapping 80→8080 and 443→8443.
/// The container runs <c>waylay proxy --gateway</c> instead of Istio's <c>proxy router</c>. Istio installs it once
/// for the cluster; <c>waylay up</c> adds it when the manifests hold a Gateway (and hold no gateway of their own),
/// since a Gateway without it would serve nothing. Until the control plane streams config to every proxy
/// (issue 16), its config is a ConfigMap volume (<c>rules.yaml</c>, <c>mesh.yaml</c>) read with <c>--config</c> and
/// <c>--rules</c>, the files and reloads a sidecar reads; the node runtime keeps <c>mesh.yaml</c> current as a kubelet
/// refreshes a ConfigMap volume (<see cref="GatewayConfig"/>). It runs the injector's image (the sidecars' proxy, so
/// <c>--runtime oci</c> runs it from that image) with Istio's gateway securityContext: uid/gid 1337, no capabilities,
/// a read-only root, no privilege escalation.
/// </summary>
internal static class IngressGateway
{
    public const string Namespace = "istio-system";
    public const string Name = "istio-ingressgateway";
    public const string HttpPortName = "http2";

    /// <summary>The ConfigMap volume with the gateway's config, and where the proxy reads it.</summary>
    public const string ConfigVolume = "waylay-gateway-config";
    public const string ConfigPath = "/etc/waylay/gateway";

    /// <summary>Whether the manifests want the gateway: a Gateway among them, and no istio-ingressgateway Service of their own.</summary>
    public static bool Wanted(IEnumerable<JsonObject> objects)
    {
        var any = false;
        foreach (var o in objects)
        {
            var kind = (string?)o["kind"];
            any |= kind == "Gateway";
            if (kind == "Service" && (string?)o["metadata"]?["name"] == Name && (string?)o["metadata"]?["namespace"] == Namespace)
            {
                return false;
            }
        }

        return any;
    }

    /// <summary>
    /// The rules the gateway routes with: the Gateways, the VirtualServices bound to a gateway, and the
    /// DestinationRules (Istio applies no sidecar-only VirtualService at a gateway). Checked now: bad input stops
    /// <c>waylay up</c> before anything is made.
    /// </summary>
    public static string Rules(IEnumerable<JsonObject> objects)
    {
        var documents = new List<string>();
        foreach (var o in objects)
        {
            if (Applies(o))
            {
                documents.Add(o.ToJsonString());
            }
        }

        var text = string.Join("\n---\n", documents) + "\n";
        var (_, errors) = NetworkingReader.TryRead(text);
        return errors.Count == 0
            ? text
            : throw new UpInputException($"the ingress gateway's rules (Gateways, VirtualServices bound to them, DestinationRules) are refused:{Environment.NewLine}  {string.Join($"{Environment.NewLine}  ", errors)}");
    }

    /// <summary>Whether the gateway routes with <paramref name="o"/>: a Gateway, a DestinationRule, a VirtualService bound to a gateway.</summary>
    public static bool Applies(JsonObject o) => (string?)o["kind"] switch
    {
        "Gateway" or "DestinationRule" => true,
        "VirtualService" => (o["spec"]?["gateways"] as JsonArray)?.Any(g => (string?)g != VirtualService.MeshGateway) == true,
        _ => false,
    };

    /// <summary>The gateway's manifests, with its <paramref name="rules"/> in its config's ConfigMap, running <paramref name="image"/>.</summary>
    public static ManifestInput Manifest(string rules, string image) => new("(waylay up: Istio's ingress gateway)", $$$"""
        apiVersion: v1
        kind: Namespace
        metadata: {name: {{{Namespace}}}}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: istio-ingressgateway-service-account, namespace: {{{Namespace}}}}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: {{{ConfigVolume}}}, namespace: {{{Namespace}}}}
        data:
          mesh.yaml: ""
          rules.yaml: |
        {{{Indent(rules)}}}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: {{{Name}}}
          namespace: {{{Namespace}}}
          labels: {app: istio-ingressgateway, istio: ingressgateway}
        spec:
          selector: {app: istio-ingressgateway, istio: ingressgateway}
          ports:
          - {name: status-port, port: 15021, targetPort: 15021, protocol: TCP}
          - {name: {{{HttpPortName}}}, port: 80, targetPort: 8080, protocol: TCP}
          - {name: https, port: 443, targetPort: 8443, protocol: TCP}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{{Name}}}
          namespace: {{{Namespace}}}
          labels: {app: istio-ingressgateway, istio: ingressgateway}
        spec:
          replicas: 1
          selector:
            matchLabels: {app: istio-ingressgateway, istio: ingressgateway}
          template:
            metadata:
              labels: {app: istio-ingressgateway, istio: ingressgateway, service.istio.io/canonical-name: istio-ingressgateway}
              annotations: {sidecar.istio.io/inject: "false"}
            spec:
              serviceAccountName: istio-ingressgateway-service-account
              securityContext: {runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true}
              containers:
              - name: istio-proxy
                image: {{{image}}}
                imagePullPolicy: {{{Waylay.Inject.Values.InjectionValues.Default.ImagePullPolicy}}}
                args: [proxy, --gateway, --config, {{{ConfigPath}}}/mesh.yaml, --rules, {{{ConfigPath}}}/rules.yaml, --access-log-file, /dev/stdout]
                ports:
                - {containerPort: 15021, protocol: TCP}
                - {containerPort: 8080, protocol: TCP}
                - {containerPort: 8443, protocol: TCP}
                - {containerPort: 15090, protocol: TCP, name: http-envoy-prom}
                env:
                - name: INSTANCE_IP
                  valueFrom: {fieldRef: {fieldPath: status.podIP}}
                - name: POD_NAME
                  valueFrom: {fieldRef: {fieldPath: metadata.name}}
                - name: POD_NAMESPACE
                  valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
                - {name: ISTIO_META_WORKLOAD_NAME, value: istio-ingressgateway}
                readinessProbe:
                  httpGet: {path: /healthz/ready, port: 15021, scheme: HTTP}
                  periodSeconds: 2
                  failureThreshold: 30
                securityContext:
                  allowPrivilegeEscalation: false
                  capabilities: {drop: [ALL]}
                  privileged: false
                  readOnlyRootFilesystem: true
                volumeMounts:
                - {name: podinfo, mountPath: /etc/istio/pod}
                - {name: {{{ConfigVolume}}}, mountPath: {{{ConfigPath}}}}
              volumes:
              - name: {{{ConfigVolume}}}
                configMap: {name: {{{ConfigVolume}}}}
              - name: podinfo
                downwardAPI:
                  items:
                  - path: labels
                    fieldRef: {fieldPath: metadata.labels}
                  - path: annotations
                    fieldRef: {fieldPath: metadata.annotations}
        """);

    private static string Indent(string text) => string.Join("\n", text.TrimEnd('\n').Split('\n').Select(l => "    " + l));
}
