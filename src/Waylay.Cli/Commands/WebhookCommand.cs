using System.CommandLine;
using System.Security.Cryptography;
using Waylay.Inject;
using Waylay.Inject.Install;
using Waylay.Inject.Values;
using Waylay.Inject.Webhook;
using Waylay.Commands;

namespace Waylay.Cli.Commands;

/// <summary>
/// <c>waylay webhook</c> serves the mutating admission webhook; <c>certs</c> makes its CA and serving
/// certificate; <c>manifests</c> prints what installs it. The work is in Waylay.Inject.Webhook and .Install.
/// </summary>
internal static class WebhookCommand
{
    public static Command Create()
    {
        var cert = new Option<string?>("--cert") { Description = "Serving certificate (PEM); reloaded when the file changes (required)", HelpName = "path" };
        var key = new Option<string?>("--key") { Description = "Its private key (PEM); reloaded when the file changes (required)", HelpName = "path" };
        var port = CliOption.Port("--port", null, 15017, "HTTPS port");
        var valuesFile = new Option<string?>("--values") { Description = "Injection values file (YAML), as for 'waylay inject --values'", HelpName = "path" };

        var command = new Command("webhook", "Serve the sidecar-injection admission webhook over HTTPS (POST /inject, GET /healthz).")
        {
            cert, key, port, valuesFile,
        };
        command.Subcommands.Add(Certs());
        command.Subcommands.Add(Manifests());

        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            var certPath = parse.GetValue(cert);
            var keyPath = parse.GetValue(key);
            if (certPath is null || keyPath is null)
            {
                throw new UsageException("webhook: --cert and --key are required; make a pair with 'waylay webhook certs --out DIR'.");
            }

            // The pair is read once here so a wrong path or file is a usage error (2), not a failed start (1).
            InputFile.Check("--cert", certPath, CertFix);
            InputFile.Check("--key", keyPath, CertFix);
            try
            {
                using var _ = CertificateReloader.Load(certPath, keyPath);
            }
            catch (Exception e) when (e is CryptographicException or IOException)
            {
                throw new UsageException(e.Message);
            }

            var options = new WebhookOptions
            {
                Port = parse.GetValue(port),
                CertPath = certPath,
                KeyPath = keyPath,
                Values = await ReadValuesAsync(parse.GetValue(valuesFile), ct),
            };
            try
            {
                await using var server = await WebhookServer.StartAsync(options, ct);
                await server.WaitForShutdownAsync(ct);
                return CliHost.Ok;
            }
            catch (Exception e) when (e is IOException or CryptographicException)
            {
                // The port is taken, or the certificate went away between the check and the start.
                throw new FailureException($"webhook: {e.Message.TrimEnd('.')}; free the port or give --port another one, and keep --cert and --key in place.");
            }
        }));
        return command;
    }

    private static Command Certs()
    {
        var output = new Option<string>("--out") { Description = "Directory to write ca.crt, tls.crt and tls.key into", Required = true, HelpName = "directory" };
        var service = CliOption.KubernetesName("--service", InstallManifests.Name, "The webhook's Service name");
        var ns = CliOption.KubernetesName("--namespace", "waylay-system", "The webhook's namespace");
        var days = CliOption.Number("--days", 365, 1, 36500, "a number of days", "give 1 to 36500", "Validity in days");
        var command = new Command("certs", "Make a CA and a serving certificate for the webhook's Service (<service>.<namespace>.svc).")
        {
            output, service, ns, days,
        };
        command.SetAction((parse, ct) => CliHost.GuardAsync(() =>
        {
            var directory = parse.GetValue(output)!;
            var set = WebhookCertificates.Generate(parse.GetValue(service)!, parse.GetValue(ns)!, [], TimeProvider.System, TimeSpan.FromDays(parse.GetValue(days)));
            try
            {
                WebhookCertificates.Write(set, directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new UsageException($"--out '{directory}': cannot write there ({e.Message}); give a directory this user can create or write to.");
            }

            Console.Out.WriteLine($"wrote {Path.Combine(directory, WebhookCertificates.CaFile)}, {WebhookCertificates.CertFile} and {WebhookCertificates.KeyFile}");
            Console.Out.WriteLine($"next: kubectl -n {parse.GetValue(ns)} create secret tls {InstallManifests.CertsSecret} --cert {Path.Combine(directory, WebhookCertificates.CertFile)} --key {Path.Combine(directory, WebhookCertificates.KeyFile)}");
            return Task.FromResult(CliHost.Ok);
        }));
        return command;
    }

    private static Command Manifests()
    {
        var ns = CliOption.KubernetesName("--namespace", "waylay-system", "Namespace to install the webhook into");
        var caBundle = new Option<string?>("--ca-bundle") { Description = "CA certificate (PEM, the ca.crt of 'waylay webhook certs') for the caBundle", HelpName = "path" };
        var valuesFile = new Option<string?>("--values") { Description = "Injection values file (YAML): its image is the webhook's image", HelpName = "path" };
        var command = new Command("manifests", "Print the Namespace, ServiceAccount, Deployment, Service and MutatingWebhookConfiguration that install the webhook.")
        {
            ns, caBundle, valuesFile,
        };
        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            try
            {
                byte[]? bundle = null;
                if (parse.GetValue(caBundle) is { } path)
                {
                    InputFile.Check("--ca-bundle", path, "pass the ca.crt that 'waylay webhook certs --out DIR' wrote");
                    bundle = InstallManifests.ReadCaBundle(path);
                }

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
                // The --ca-bundle is missing or not PEM, or the values file is not valid: the user's to fix.
                throw new UsageException(e.Message);
            }
        }));
        return command;
    }

    private const string CertFix = "make a pair with 'waylay webhook certs --out DIR'";

    private static async Task<InjectionValues> ReadValuesAsync(string? path, CancellationToken ct)
    {
        if (path is null)
        {
            return InjectionValues.Default;
        }

        var text = await InputFile.ReadAllTextAsync("--values", path, "give the path of a values file (see 'waylay inject --print-values' for its keys)", ct);
        try
        {
            return InjectionValuesReader.Read(text, path);
        }
        catch (ManifestException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
