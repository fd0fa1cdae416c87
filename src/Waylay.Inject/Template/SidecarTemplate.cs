using Waylay.Capture.Options;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Waylay.Inject.Annotations;
using Waylay.Inject.Capture;
using Waylay.Inject.Values;
using Waylay.Mesh;

namespace Waylay.Inject.Template;

/// <summary>
/// The injection template: renders the init container, the proxy container and the volumes for one pod from the
/// values and the pod's options. Istio keeps this as a Go text template; here it is code, so every field is typed
/// and a change shows in the golden files. Bump <see cref="Revision"/> whenever the rendered shape changes: it
/// feeds the status annotation's version hash.
/// </summary>
internal static class SidecarTemplate
{
    public const string Revision = "waylay-sidecar/2";

    public static SidecarParts Render(SidecarInputs pod, InjectionValues values)
    {
        var volumes = new List<JsonObject>
        {
            new() { ["name"] = SidecarNames.ConfigVolume, ["emptyDir"] = new JsonObject { ["medium"] = "Memory" } },
            new()
            {
                ["name"] = SidecarNames.CertsVolume,
                ["secret"] = new JsonObject { ["secretName"] = SidecarNames.CertsSecret(pod.ServiceAccount), ["optional"] = true },
            },
        };

        return new SidecarParts(
            Normalize(InitContainer(pod.Options, values)),
            Normalize(ProxyContainer(pod, values)),
            [.. volumes.Select(Normalize)],
            values.ImagePullSecrets,
            Version(values));
    }

    /// <summary>Re-reads a rendered part so its numbers are plain JSON numbers like those of the parsed manifest, whatever CLR type built them.</summary>
    private static JsonObject Normalize(JsonObject part) => (JsonObject)JsonNode.Parse(part.ToJsonString())!;

    /// <summary>sha256 of the template revision and the values: equal hashes mean equal sidecars for equal pods.</summary>
    public static string Version(InjectionValues values)
    {
        var text = Revision + "\n" + InjectionValuesWriter.ToJson(values).ToJsonString();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static JsonObject InitContainer(PodOptions options, InjectionValues values) => new()
    {
        ["name"] = SidecarNames.InitContainer,
        ["image"] = values.Image,
        ["imagePullPolicy"] = values.ImagePullPolicy,
        ["args"] = Strings(CaptureCommandLine.Build(options, values)),
        ["resources"] = Resources(values),
        // Writing netfilter rules needs NET_ADMIN (and NET_RAW for iptables' raw sockets); root inside the
        // pod's own namespaces, nothing else: no privileged mode, no escalation, every other capability dropped.
        ["securityContext"] = new JsonObject
        {
            ["allowPrivilegeEscalation"] = false,
            ["capabilities"] = new JsonObject { ["add"] = Strings(["NET_ADMIN", "NET_RAW"]), ["drop"] = Strings(["ALL"]) },
            ["privileged"] = false,
            ["readOnlyRootFilesystem"] = false,
            ["runAsGroup"] = 0,
            ["runAsNonRoot"] = false,
            ["runAsUser"] = 0,
        },
    };

    private static JsonObject ProxyContainer(SidecarInputs pod, InjectionValues values)
    {
        var ports = values.Ports;
        var env = new JsonArray
        {
            FieldEnv("POD_NAME", "metadata.name"),
            FieldEnv("POD_NAMESPACE", "metadata.namespace"),
            FieldEnv("INSTANCE_IP", "status.podIP"),
            FieldEnv("SERVICE_ACCOUNT", "spec.serviceAccountName"),
            FieldEnv("ISTIO_META_POD_NAME", "metadata.name"),
            (JsonNode)new JsonObject { ["name"] = "ISTIO_META_INTERCEPTION_MODE", ["value"] = pod.Options.InterceptionMode.ToFlag() },
        };
        if (pod.AppProbers is not null)
        {
            env.Add((JsonNode)new JsonObject { ["name"] = SidecarNames.AppProbersEnv, ["value"] = pod.AppProbers });
        }

        var tproxy = pod.Options.InterceptionMode == InterceptionMode.Tproxy;

        // `waylay proxy`'s flags (src/Waylay.Commands/ProxyCommand.cs), in the seed's order; the seed's
        // camelCase names where the proxy accepts them (--serviceCluster, --discoveryAddress, --proxyAdminPort).
        List<string> args =
        [
            "proxy",
            "--serviceCluster", pod.ServiceCluster,
            "--drain-duration", GoDuration.Format(values.DrainDuration),
            "--parent-shutdown-duration", GoDuration.Format(values.ParentShutdownDuration),
            // Empty only where the caller runs no control plane (waylay up's ControlPlane = false): no stream to wait for.
            .. values.DiscoveryAddress.Length > 0 ? (string[])["--discoveryAddress", values.DiscoveryAddress] : [],
            "--connect-timeout", GoDuration.Format(values.ConnectTimeout),
            "--proxyAdminPort", Port(ports.Admin),
            "--outbound-port", Port(ports.Outbound),
            "--inbound-port", Port(ports.Inbound),
            "--health-port", Port(ports.Health),
        ];
        if (tproxy)
        {
            args.Add("--tproxy");
        }

        if (values.ProxyUid != 1337)
        {
            args.AddRange(["--proxy-uid", values.ProxyUid.ToString(CultureInfo.InvariantCulture)]);
        }

        var container = new JsonObject
        {
            ["name"] = SidecarNames.ProxyContainer,
            ["image"] = values.Image,
            ["imagePullPolicy"] = values.ImagePullPolicy,
            ["args"] = Strings(args),
            ["env"] = env,
            ["ports"] = new JsonArray
            {
                (JsonNode)new JsonObject { ["name"] = "http-envoy-prom", ["containerPort"] = ports.Metrics, ["protocol"] = "TCP" },
                (JsonNode)new JsonObject { ["name"] = "waylay-health", ["containerPort"] = ports.Health, ["protocol"] = "TCP" },
            },
            ["readinessProbe"] = ReadyProbe(ports.Health, initialDelaySeconds: 1, periodSeconds: 2, failureThreshold: 30),
            ["resources"] = Resources(values),
            // uid 1337 is the one identity capture never redirects (design.md). TPROXY needs IP_TRANSPARENT,
            // hence NET_ADMIN, which a non-root uid cannot use: as in Istio, the proxy then runs as root with
            // gid 1337, and capture recognises it by the gid.
            ["securityContext"] = new JsonObject
            {
                ["allowPrivilegeEscalation"] = false,
                ["capabilities"] = tproxy
                    ? new JsonObject { ["add"] = Strings(["NET_ADMIN"]), ["drop"] = Strings(["ALL"]) }
                    : new JsonObject { ["drop"] = Strings(["ALL"]) },
                ["privileged"] = false,
                ["readOnlyRootFilesystem"] = true,
                ["runAsGroup"] = values.ProxyGid,
                ["runAsNonRoot"] = !tproxy,
                ["runAsUser"] = tproxy ? 0 : values.ProxyUid,
            },
            ["volumeMounts"] = new JsonArray
            {
                (JsonNode)new JsonObject { ["name"] = SidecarNames.ConfigVolume, ["mountPath"] = SidecarNames.ConfigMountPath },
                (JsonNode)new JsonObject { ["name"] = SidecarNames.CertsVolume, ["mountPath"] = SidecarNames.CertsMountPath, ["readOnly"] = true },
            },
        };

        if (pod.Options.NativeSidecar)
        {
            // A restartable init container: the kubelet starts the app only once this startup probe passes,
            // and does not wait for the proxy to exit before a Job counts as complete.
            container["restartPolicy"] = "Always";
            container["startupProbe"] = ReadyProbe(ports.Health, initialDelaySeconds: 0, periodSeconds: 1, failureThreshold: 600);
        }
        else if (pod.Options.HoldApplicationUntilProxyStarts)
        {
            // The kubelet starts containers in order and runs postStart before starting the next one: the
            // app starts only once the proxy is ready (Istio's `pilot-agent wait`).
            container["lifecycle"] = new JsonObject
            {
                ["postStart"] = new JsonObject
                {
                    ["exec"] = new JsonObject
                    {
                        ["command"] = Strings(ports.Admin == new ProxyPorts().Admin
                            ? ["waylay", "proxy", "wait-ready"]
                            : ["waylay", "proxy", "wait-ready", "--proxyAdminPort", Port(ports.Admin)]),
                    },
                },
            };
        }

        return container;
    }

    private static JsonObject ReadyProbe(ushort port, int initialDelaySeconds, int periodSeconds, int failureThreshold) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = "/healthz/ready", ["port"] = port },
        ["initialDelaySeconds"] = initialDelaySeconds,
        ["periodSeconds"] = periodSeconds,
        ["timeoutSeconds"] = 3,
        ["failureThreshold"] = failureThreshold,
    };

    private static JsonNode FieldEnv(string name, string fieldPath) => new JsonObject
    {
        ["name"] = name,
        ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = fieldPath } },
    };

    private static JsonObject Resources(InjectionValues values)
    {
        var resources = new JsonObject();
        if (values.ResourceRequests.Count > 0)
        {
            resources["requests"] = Quantities(values.ResourceRequests);
        }

        if (values.ResourceLimits.Count > 0)
        {
            resources["limits"] = Quantities(values.ResourceLimits);
        }

        return resources;
    }

    private static JsonObject Quantities(IReadOnlyDictionary<string, string> quantities)
    {
        var result = new JsonObject();
        foreach (var (name, quantity) in quantities.OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            result[name] = quantity;
        }

        return result;
    }

    private static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(item => (JsonNode)item)]);

    private static string Port(ushort port) => port.ToString(CultureInfo.InvariantCulture);
}
