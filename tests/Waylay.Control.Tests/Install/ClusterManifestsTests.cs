using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Waylay.Control.Install;
using Waylay.Inject.Values;
using Waylay.Inject.Yaml;
using Waylay.TestKit;

namespace Waylay.Control.Tests.Install;

/// <summary>
/// <c>waylay install</c>'s printed manifests: Kubernetes objects (strictly), in dependency order, all labelled for
/// uninstall; a webhook the API server can trust and reach; the image and args the CLI and the injector agree on.
/// </summary>
public sealed class ClusterManifestsTests
{
    [Fact]
    public async Task Printed_AreKubernetesObjects_InDependencyOrder_AllLabelledForUninstall()
    {
        var objects = await PrintedInstall.RunAsync("--namespace", "mesh");

        Assert.Equal(
            ["Namespace", "ServiceAccount", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Secret", "ConfigMap", "Service", "Service",
             "Deployment", "Deployment", "PodDisruptionBudget", "PodDisruptionBudget", "MutatingWebhookConfiguration"],
            objects.Select(o => o.Kind));
        Assert.All(objects, o => Assert.True(InstallLabels.IsInstalled(o.Metadata.Labels, "mesh"), $"{o.Kind} {o.Metadata.Name} lacks the install labels"));
        Assert.All(objects.Where(o => o is not (V1Namespace or V1ClusterRole or V1ClusterRoleBinding or V1MutatingWebhookConfiguration)),
            o => Assert.Equal("mesh", o.Metadata.NamespaceProperty));
        Assert.Equal("mesh", Assert.Single(objects.OfType<V1Namespace>()).Metadata.Name);

        // Both Deployments: spread over nodes, kept up through drains by a budget that selects their pods, bounded memory.
        foreach (var deployment in objects.OfType<V1Deployment>())
        {
            var pod = deployment.Spec.Template;
            Assert.Equal(2, deployment.Spec.Replicas);
            Assert.True(deployment.Spec.Selector.MatchLabels.All(l => pod.Metadata.Labels.TryGetValue(l.Key, out var v) && v == l.Value), "the selector must match the pod template's labels");
            var spread = Assert.Single(pod.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
            Assert.Equal("kubernetes.io/hostname", spread.PodAffinityTerm.TopologyKey);
            Assert.Equal(deployment.Spec.Selector.MatchLabels, spread.PodAffinityTerm.LabelSelector.MatchLabels);
            var budget = objects.Single<V1PodDisruptionBudget>(deployment.Metadata.Name);
            Assert.Equal(1, int.Parse(budget.Spec.MinAvailable.Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(budget.Spec.Selector.MatchLabels.All(l => pod.Metadata.Labels[l.Key] == l.Value), "the budget must select the Deployment's pods");
            var container = Assert.Single(pod.Spec.Containers);
            Assert.True(container.Resources.Requests.ContainsKey("cpu") && container.Resources.Requests.ContainsKey("memory"));
            Assert.True(container.Resources.Limits.ContainsKey("memory"));
            Assert.Equal(objects.Single<V1ServiceAccount>(deployment.Metadata.Name).Metadata.Name, pod.Spec.ServiceAccountName);
        }
    }

    [Fact]
    public async Task WebhookConfiguration_CaBundleVerifiesTheServingCertificate_ForTheServiceItCalls()
    {
        var objects = await PrintedInstall.RunAsync("--namespace", "mesh");
        var configuration = Assert.Single(objects.OfType<V1MutatingWebhookConfiguration>());
        var secret = objects.Single<V1Secret>("waylay-webhook-certs");
        Assert.Equal("kubernetes.io/tls", secret.Type);

        // The webhook mounts this Secret.
        var deployment = objects.Single<V1Deployment>("waylay-webhook");
        Assert.Contains(deployment.Spec.Template.Spec.Volumes, v => v.Secret?.SecretName == secret.Metadata.Name);

        using var serving = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(secret.Data["tls.crt"]), Encoding.ASCII.GetString(secret.Data["tls.key"]));
        foreach (var hook in configuration.Webhooks)
        {
            Assert.Equal("Fail", hook.FailurePolicy);
            var service = objects.Single<V1Service>(hook.ClientConfig.Service.Name);
            Assert.Equal("mesh", hook.ClientConfig.Service.NamespaceProperty);
            var port = Assert.Single(service.Spec.Ports, p => p.Port == hook.ClientConfig.Service.Port);
            Assert.Contains(deployment.Spec.Template.Spec.Containers.Single().Ports, p => p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == port.TargetPort.Value);

            // What the API server does: trust only the caBundle, dial <service>.<namespace>.svc.
            using var ca = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(hook.ClientConfig.CaBundle));
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(serving), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
            Assert.True(serving.MatchesHostname($"{service.Metadata.Name}.mesh.svc"), "the serving certificate must name the Service the API server dials");
        }

        // Injection by namespace label, Waylay's or Istio's, as Istio's injector selects.
        var selected = configuration.Webhooks.SelectMany(h => h.NamespaceSelector.MatchExpressions.Where(e => e.OperatorProperty == "In").Select(e => $"{e.Key}={string.Join(',', e.Values)}"));
        Assert.Contains("waylay-injection=enabled", selected);
        Assert.Contains("istio-injection=enabled", selected);
    }

    [Fact]
    public async Task CertManager_IssuesTheServingCertificate_AndItsCainjectorFillsTheCaBundle()
    {
        var objects = await PrintedInstall.RunAsync("--namespace", "mesh", "--cert-manager");

        Assert.Empty(objects.OfType<V1Secret>()); // cert-manager writes it
        var configuration = Assert.Single(objects.OfType<V1MutatingWebhookConfiguration>());
        Assert.All(configuration.Webhooks, h => Assert.Null(h.ClientConfig.CaBundle));
        var certificates = objects.OfType<CertManagerObject>().Where(o => o.Kind == "Certificate").ToList();
        var serving = Assert.Single(certificates, c => c.Metadata.Name == configuration.Metadata.Annotations["cert-manager.io/inject-ca-from"].Split('/')[1]);
        Assert.Equal("mesh", configuration.Metadata.Annotations["cert-manager.io/inject-ca-from"].Split('/')[0]);
        Assert.Contains("waylay-webhook.mesh.svc", ((IEnumerable<object>)serving.Spec["dnsNames"]).Select(n => n.ToString()));
        var deployment = objects.Single<V1Deployment>("waylay-webhook");
        Assert.Contains(deployment.Spec.Template.Spec.Volumes, v => v.Secret?.SecretName == serving.Spec["secretName"].ToString());

        // Its issuer chain: self-signed → CA certificate → CA issuer → serving certificate, all here.
        var issuers = objects.OfType<CertManagerObject>().Where(o => o.Kind == "Issuer").Select(o => o.Metadata.Name).ToList();
        Assert.Equal(2, issuers.Count);
        Assert.All(certificates, c => Assert.Contains(((IDictionary<object, object>)c.Spec["issuerRef"])["name"].ToString(), issuers));
        Assert.All(objects, o => Assert.True(InstallLabels.IsInstalled(o.Metadata.Labels, "mesh")));
    }

    [Fact]
    public async Task Images_AreTheInjectorsDefault_AndTheInjectedPodsGetTheSameImageAndThisControlPlane()
    {
        var printed = await WaylayCli.RunAsync("inject", "--print-values");
        Assert.True(printed.Succeeded, printed.Diagnostic);
        var injectorImage = YamlReader.ReadDocuments(printed.StandardOutput, "values")[0]!["image"]!.GetValue<string>();

        foreach (var (arguments, image) in new[] { (Array.Empty<string>(), injectorImage), (["--image", "registry.example.com:5000/mesh/waylay:1.2@sha256:" + new string('a', 64)], "registry.example.com:5000/mesh/waylay:1.2@sha256:" + new string('a', 64)) })
        {
            var objects = await PrintedInstall.RunAsync(["--namespace", "mesh", .. arguments]);
            foreach (var container in objects.OfType<V1Deployment>().SelectMany(d => d.Spec.Template.Spec.Containers))
            {
                Assert.Equal(image, container.Image);
                Assert.Null(container.Command); // the image's entrypoint, `waylay`, runs the args
            }

            // The webhook injects with values naming the same image and this namespace's control plane.
            var values = InjectionValuesReader.Read(objects.Single<V1ConfigMap>("waylay-injection-values").Data["values.yaml"], "values.yaml");
            Assert.Equal(image, values.Image);
            var control = objects.Single<V1Service>("waylay-control");
            Assert.Equal($"{control.Metadata.Name}.mesh:{control.Spec.Ports.Single(p => p.Name == "grpc-xds").Port}", values.DiscoveryAddress);
            var webhook = objects.Single<V1Deployment>("waylay-webhook").Spec.Template.Spec;
            var args = webhook.Containers.Single().Args;
            var mount = webhook.Containers.Single().VolumeMounts.Single(m => m.Name == webhook.Volumes.Single(v => v.ConfigMap is not null).Name);
            Assert.Equal($"{mount.MountPath}/values.yaml", args[args.IndexOf("--values") + 1]);
        }
    }
}
