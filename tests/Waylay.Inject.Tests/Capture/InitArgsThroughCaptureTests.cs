using Waylay.TestKit;
using YamlDotNet.RepresentationModel;

namespace Waylay.Inject.Tests.Capture;

/// <summary>
/// Every init container the golden cases inject is run through the real `waylay capture --dry-run`: its command line
/// must parse, and the rules must contain what the pod's annotations asked for.
/// </summary>
public sealed class InitArgsThroughCaptureTests
{
    public static TheoryData<string> InjectedFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(TestData.InjectDirectory, "*.injected.yaml").Order())
        {
            if (InitArgs(file).Any())
            {
                data.Add(Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InjectedFiles))]
    public async Task InitContainerArgs_ParseAndYieldTheAskedForRules(string file)
    {
        foreach (var args in InitArgs(Path.Combine(TestData.InjectDirectory, file)))
        {
            Assert.Equal("capture", args[0]);
            var result = await WaylayCli.RunAsync([.. args, "--dry-run", "--backend", "iptables"]);
            Assert.True(result.Succeeded, $"waylay {string.Join(' ', args)}: {result.Diagnostic}");
            var script = result.StandardOutput;

            var inbound = Flag(args, "-b");
            foreach (var port in List(inbound).Where(p => p != "*"))
            {
                Assert.Contains($"--dport {port} -j ISTIO_IN_REDIRECT", script);
            }

            if (inbound == "*")
            {
                foreach (var port in List(Flag(args, "-d")))
                {
                    Assert.Contains($"-A ISTIO_INBOUND -p tcp -m tcp --dport {port} -j RETURN", script);
                }
            }

            foreach (var cidr in List(Flag(args, "-x")))
            {
                Assert.Contains($"-A ISTIO_OUTPUT -d {cidr} -j RETURN", script);
            }

            foreach (var port in List(Flag(args, "-q")))
            {
                Assert.Contains($"-A ISTIO_OUTPUT -p tcp -m tcp --dport {port} -j ISTIO_REDIRECT", script);
            }

            foreach (var port in List(Flag(args, "-o")))
            {
                Assert.Contains($"-A ISTIO_OUTPUT -p tcp -m tcp --dport {port} -j RETURN", script);
            }

            Assert.Contains(Flag(args, "-i") == "*" ? "-A ISTIO_OUTPUT -j ISTIO_REDIRECT" : "-A ISTIO_OUTPUT", script);
            Assert.Contains(Flag(args, "-m") == "TPROXY" ? "TPROXY --on-port" : "-j REDIRECT --to-ports", script);
        }
    }

    private static string Flag(string[] args, string flag)
    {
        var at = Array.IndexOf(args, flag);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : "";
    }

    private static IEnumerable<string> List(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static IEnumerable<string[]> InitArgs(string file)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(file))
        {
            stream.Load(reader);
        }

        foreach (var document in stream.Documents)
        {
            foreach (var container in Containers(document.RootNode))
            {
                if (container.Children.TryGetValue(new YamlScalarNode("name"), out var name) && name.ToString() == "waylay-init"
                    && container.Children.TryGetValue(new YamlScalarNode("args"), out var args) && args is YamlSequenceNode sequence)
                {
                    yield return sequence.Children.Select(a => ((YamlScalarNode)a).Value ?? "").ToArray();
                }
            }
        }
    }

    // Every mapping under an "initContainers" key, however deep (Deployment, CronJob, List …).
    private static IEnumerable<YamlMappingNode> Containers(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    if (key.ToString() == "initContainers" && value is YamlSequenceNode list)
                    {
                        foreach (var item in list.Children.OfType<YamlMappingNode>())
                        {
                            yield return item;
                        }
                    }
                    else
                    {
                        foreach (var inner in Containers(value))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var inner in sequence.Children.SelectMany(Containers))
                {
                    yield return inner;
                }

                break;
        }
    }
}
