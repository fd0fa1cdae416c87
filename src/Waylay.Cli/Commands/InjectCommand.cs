using System.CommandLine;
using Waylay.Inject;
using Waylay.Inject.Manifests;
using Waylay.Inject.Values;
using Waylay.Inject.Yaml;
using Waylay.Commands;

namespace Waylay.Cli.Commands;

/// <summary><c>waylay inject</c>: reads manifests, writes them back with the sidecar injected (Waylay.Inject does the work).</summary>
internal static class InjectCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--file", "-f")
        {
            Description = "Manifest to inject: a YAML or JSON file, a directory of them, or - for stdin (repeatable)",
            AllowMultipleArgumentsPerToken = false,
            HelpName = "path",
        };
        var output = new Option<string?>("--output", "-o") { Description = "Write the result to this file instead of stdout", HelpName = "path" };
        var valuesFile = new Option<string?>("--values") { Description = "Injection values file (YAML); see --print-values for the keys and defaults", HelpName = "path" };
        var printValues = new Option<bool>("--print-values") { Description = "Print the injection values in effect and exit" };
        var force = new Option<bool>("--force") { Description = "Re-inject pods already injected, replacing what the earlier injection added" };
        var native = new Option<bool>("--native-sidecar") { Description = "Run the proxy as a native sidecar (an init container with restartPolicy: Always)" };

        var command = new Command("inject", "Add the Waylay sidecar (capture init container and proxy) to the workloads in Kubernetes manifests.")
        {
            files, output, valuesFile, printValues, force, native,
        };

        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            try
            {
                var values = parse.GetValue(valuesFile) is { } path
                    ? InjectionValuesReader.Read(await InputFile.ReadAllTextAsync("--values", path, ValuesFix, ct), path)
                    : InjectionValues.Default;
                if (parse.GetValue(native))
                {
                    values = values with { NativeSidecar = true };
                }

                if (parse.GetValue(printValues))
                {
                    await Console.Out.WriteAsync(YamlWriter.Write([InjectionValuesWriter.ToJson(values)]));
                    return CliHost.Ok;
                }

                var paths = parse.GetValue(files) ?? [];
                if (paths.Length == 0)
                {
                    throw new UsageException("inject: no manifest given; pass -f FILE, -f DIR or -f - to read stdin.");
                }

                var result = ManifestInjector.Inject(ReadSources(paths), values, parse.GetValue(force));
                foreach (var report in result.Reports)
                {
                    foreach (var warning in report.Warnings)
                    {
                        await Console.Error.WriteLineAsync($"waylay inject: warning: {report.Source}: {report.Workload}: {warning}");
                    }

                    if (report.Decision is not (InjectionDecision.Injected or InjectionDecision.Reinjected or InjectionDecision.SkippedHostNetwork))
                    {
                        await Console.Error.WriteLineAsync($"waylay inject: {report.Source}: {report.Workload}: {report.Reason}");
                    }
                }

                if (parse.GetValue(output) is { } outputPath)
                {
                    await WriteOutputAsync(outputPath, result.Text, ct);
                }
                else
                {
                    await Console.Out.WriteAsync(result.Text);
                }

                return CliHost.Ok;
            }
            catch (ManifestException e)
            {
                // A manifest or values file Waylay cannot use (missing, not YAML, invalid values): the user's to fix.
                throw new UsageException(e.Message);
            }
        }));
        return command;
    }

    private static IReadOnlyList<ManifestInput> ReadSources(string[] paths)
    {
        try
        {
            return ManifestSources.Read(paths, Console.In);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A -f file that exists but cannot be read (ManifestSources reports missing ones itself).
            throw new UsageException($"-f: {e.Message}; pass manifests this user can read.");
        }
    }

    private const string ValuesFix = "give the path of a values file (see 'waylay inject --print-values' for its keys)";

    /// <summary>A path the user named that cannot be written is theirs to fix (exit 2); a write that fails midway is not (exit 1).</summary>
    private static async Task WriteOutputAsync(string path, string text, CancellationToken ct)
    {
        try
        {
            await File.WriteAllTextAsync(path, text, ct);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException || Directory.Exists(path))
        {
            throw new UsageException($"-o {path}: cannot write there ({e.Message}); give a file path in an existing, writable directory.");
        }
        catch (IOException e)
        {
            throw new FailureException($"-o {path}: the write failed ({e.Message}).");
        }
    }
}
