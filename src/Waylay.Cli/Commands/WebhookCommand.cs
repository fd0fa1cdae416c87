using System.CommandLine;
using System.Security.Cryptography;
using Waylay.Inject;
using Waylay.Inject.Install;
using Waylay.Inject.Values;
using Waylay.Inject.Webhook;

namespace Waylay.Cli.Commands;

/// <summary>
/// <c>waylay webhook</c> serves the mutating admission webhook; <c>certs</c> makes its CA and serving
/// certificate; <c>manifests</c> prints what installs it. The work is in Waylay.Inject.Webhook and .Install.
/// </summary>
internal static class WebhookCommand
{
    public static Command Create()
    {
        var cert = new Option<string?>("--cert") { Description = "Serving certificate (PEM); reloaded when the file changes (required)" };
        var key = new Option<string?>("--key") { Description = "Its private key (PEM); reloaded when the file changes (required)" };
        var port = new Option<int>("--port") { Description = "HTTPS port", DefaultValueFactory = _ => 15017 };
        var valuesFile = new Option<string?>("--values") { Description = "Injection values file (YAML), as for 'waylay inject --values'" };

        var command = new Command("webhook", "Serve the sidecar-injection admission webhook over HTTPS (POST /inject, GET /healthz).")
        {
            cert, key, port, valuesFile,
        };
        command.Subcommands.Add(Certs());
        command.Subcommands.Add(Manifests());

        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            var portNumber = parse.GetValue(port);
            if (portNumber is < 1 or > 65535)
            {
                throw new UsageException($"--port {portNumber}: not a port; give a number between 1 and 65535.");
            }

            var certPath = parse.GetValue(cert);
            var keyPath = parse.GetValue(key);
            if (certPath is null || keyPath is null)
            {
                throw new UsageException("webhook: --cert and --key are required; make a pair with 'waylay webhook certs --out DIR'.");
            }

            try
            {
                var options = new WebhookOptions
                {
                    Port = portNumber,
                    CertPath = certPath,
                    KeyPath = keyPath,
                    Values = await ReadValuesAsync(parse.GetValue(valuesFile), ct),
                };
                await using var server = await WebhookServer.StartAsync(options, ct);
                await server.WaitForShutdownAsync(ct);
                return CliHost.Ok;
            }
            catch (Exception e) when (e is ManifestException or IOException or CryptographicException)
            {
                await Console.Error.WriteLineAsync($"waylay webhook: {e.Message}");
                return CliHost.Failure;
            }
        }));
        return command;
    }

    private static Command Certs()
    {
        var output = new Option<string>("--out") { Description = "Directory to write ca.crt, tls.crt and tls.key into", Required = true };
        var service = new Option<string>("--service") { Description = "The webhook's Service name", DefaultValueFactory = _ => InstallManifests.Name };
        var ns = new Option<string>("--namespace") { Description = "The webhook's namespace", DefaultValueFactory = _ => "waylay-system" };
        var days = new Option<int>("--days") { Description = "Validity in days", DefaultValueFactory = _ => 365 };
        var command = new Command("certs", "Make a CA and a serving certificate for the webhook's Service (<service>.<namespace>.svc).")
        {
            output, service, ns, days,
        };
        command.SetAction((parse, ct) => CliHost.GuardAsync(() =>
        {
            if (parse.GetValue(days) < 1)
            {
                throw new UsageException("--days: must be at least 1.");
            }

            var directory = parse.GetValue(output)!;
            var set = WebhookCertificates.Generate(parse.GetValue(service)!, parse.GetValue(ns)!, [], TimeProvider.System, TimeSpan.FromDays(parse.GetValue(days)));
            WebhookCertificates.Write(set, directory);
            Console.Out.WriteLine($"wrote {Path.Combine(directory, WebhookCertificates.CaFile)}, {WebhookCertificates.CertFile} and {WebhookCertificates.KeyFile}");
            Console.Out.WriteLine($"next: kubectl -n {parse.GetValue(ns)} create secret tls {InstallManifests.CertsSecret} --cert {Path.Combine(directory, WebhookCertificates.CertFile)} --key {Path.Combine(directory, WebhookCertificates.KeyFile)}");
            return Task.FromResult(CliHost.Ok);
        }));
        return command;
    }

    private static Command Manifests()
    {
        var ns = new Option<string>("--namespace") { Description = "Namespace to install the webhook into", DefaultValueFactory = _ => "waylay-system" };
        var caBundle = new Option<string?>("--ca-bundle") { Description = "CA certificate (PEM, the ca.crt of 'waylay webhook certs') for the caBundle" };
        var valuesFile = new Option<string?>("--values") { Description = "Injection values file (YAML): its image is the webhook's image" };
        var command = new Command("manifests", "Print the Namespace, ServiceAccount, Deployment, Service and MutatingWebhookConfiguration that install the webhook.")
        {
            ns, caBundle, valuesFile,
        };
        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            try
            {
                var bundle = parse.GetValue(caBundle) is { } path ? InstallManifests.ReadCaBundle(path) : null;
                var values = await ReadValuesAsync(parse.GetValue(valuesFile), ct);
                await Console.Out.WriteAsync(InstallManifests.Render(parse.GetValue(ns)!, bundle, values));
                if (bundle is null)
                {
                    await Console.Error.WriteLineAsync("waylay webhook manifests: no --ca-bundle given: the caBundle is empty and the API server will not trust the webhook until it is set.");
                }

                return CliHost.Ok;
            }
            catch (ManifestException e)
            {
                await Console.Error.WriteLineAsync($"waylay webhook manifests: {e.Message}");
                return CliHost.Failure;
            }
        }));
        return command;
    }

    private static async Task<InjectionValues> ReadValuesAsync(string? path, CancellationToken ct)
    {
        if (path is null)
        {
            return InjectionValues.Default;
        }

        if (!File.Exists(path))
        {
            throw new UsageException($"--values {path}: no such file; give the path of an existing values file.");
        }

        return InjectionValuesReader.Read(await File.ReadAllTextAsync(path, ct), path);
    }
}
