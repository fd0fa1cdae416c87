using System.CommandLine;
using System.Runtime.InteropServices;
using Waylay.Node;
using Waylay.Node.Images.Store;
using Waylay.Node.Processes;
using Waylay.Node.Up;
using Waylay.Commands;

namespace Waylay.Cli.Commands;

/// <summary>
/// <c>waylay up</c>: runs Kubernetes manifests as pods on this machine (Waylay.Node's <see cref="MeshRun"/> does the
/// work). Without <c>--foreground</c> it starts its supervisor detached (<see cref="UpLauncher"/>) and returns when
/// the run is ready.
/// </summary>
internal static class UpCommand
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(10);

    public static Command Create()
    {
        var paths = new Argument<string[]>("path") { Description = "Manifest files or directories (searched recursively for *.yaml and *.yml)", Arity = ArgumentArity.ZeroOrMore };
        var files = new Option<string[]>("--file", "-f") { Description = "A manifest file or directory (repeatable; same as the arguments)", HelpName = "path" };
        var nodes = new Option<int>("--nodes") { Description = "Nodes to create; pods are placed round robin", DefaultValueFactory = _ => 1, HelpName = "N" };
        var images = new Option<string?>("--images") { Description = "Image table: image pattern → local program (command, args, env, workingDir), before the built-ins", HelpName = "path" };
        var hostPath = new Option<bool>("--allow-host-path") { Description = "Let pods mount hostPath volumes (this machine's files)" };
        var ipMasq = new Option<bool>("--ip-masq") { Description = "Masquerade pod traffic that leaves its node to the node's address, as flannel's --ip-masq did in the seed's cluster (a pod on another node then sees the node as the client)" };
        var foreground = new Option<bool>("--foreground") { Description = "Stay attached and supervise the run; Ctrl-C or SIGTERM tears it down" };
        var run = new Option<string?>("--run") { Description = "The run's id (1-8 lower-case letters or digits; every name it makes is wl-<id>-…); default: a new one", HelpName = "id" };
        var expose = new Option<string?>("--expose") { Description = "The Service the 127.0.0.1 forwarder reaches (default: productpage, else the first Service)", HelpName = "service[:port]" };
        var port = new Option<int>("--port") { Description = "The forwarder's port on 127.0.0.1 (default: a free one)", HelpName = "port" };
        var runtime = new Option<string>("--runtime") { Description = "What runs the containers: process (programs of this machine, the image table's) or oci (images from the store, through runc; waylay image load or pulled from their registries by imagePullPolicy)", DefaultValueFactory = _ => "process", HelpName = "process|oci" };
        var insecure = ImageCommand.InsecureRegistryOption();
        var supervised = new Option<bool>("--supervised") { Hidden = true }; // set by the detached re-exec: log to <state>/up.log

        var command = new Command("up", "Run Kubernetes manifests (Deployments, Services, …) as injected pods in network namespaces on this machine.")
        {
            paths, files, nodes, images, hostPath, ipMasq, foreground, run, expose, port, runtime, insecure, supervised,
        };

        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            var given = (parse.GetValue(paths) ?? []).Concat(parse.GetValue(files) ?? []).Select(Path.GetFullPath).ToList();
            if (given.Count == 0)
            {
                throw new UsageException("up: no manifests given; pass a file or directory, e.g. waylay up samples/bookinfo");
            }

            var forwarderPort = parse.GetValue(port);
            if (forwarderPort is < 0 or > 65535)
            {
                throw new UsageException($"--port {forwarderPort}: use 1-65535, or leave it out for a free port");
            }

            var runtimeKind = parse.GetValue(runtime) switch
            {
                "process" => ContainerRuntimeKind.Process,
                "oci" => ContainerRuntimeKind.Oci,
                var other => throw new UsageException($"--runtime {other}: use process (the default: programs of this machine) or oci (images through runc)"),
            };
            var runId = RunIds.Parse(parse.GetValue(run));
            var options = new UpOptions
            {
                Paths = given,
                RunId = runId,
                Nodes = parse.GetValue(nodes),
                ImagesFile = parse.GetValue(images) is { } i ? Path.GetFullPath(i) : null,
                AllowHostPath = parse.GetValue(hostPath),
                IpMasquerade = parse.GetValue(ipMasq),
                Expose = parse.GetValue(expose),
                Port = (ushort)forwarderPort,
                Runtime = runtimeKind,
                ImageStore = ImageStore.ForThisMachine().Root,
                Registries = new RegistryOptions { InsecureRegistries = parse.GetValue(insecure) ?? [] },
            };
            if (Directory.Exists(options.StateDirectory) && !parse.GetValue(supervised))
            {
                throw new UsageException($"--run {runId}: run {runId} exists ({options.StateDirectory}); remove it with 'waylay down {runId}' or pick another id");
            }

            MeshPlan plan;
            try
            {
                // The detached supervisor plans again: the images were pulled by the command that started it.
                plan = parse.GetValue(supervised) ? MeshPlan.Create(options) : await MeshPlan.CreateAsync(options, Console.WriteLine, ct);
            }
            catch (UpInputException e)
            {
                throw new UsageException(e.Message);
            }

            if (!parse.GetValue(supervised))
            {
                foreach (var skipped in plan.Skipped)
                {
                    Console.WriteLine($"skipped {skipped}: not a Kubernetes manifest (no apiVersion and kind)");
                }

                if (!parse.GetValue(foreground) && MeshRun.RoutingNote(plan) is { } note)
                {
                    Console.WriteLine(note); // the foreground run says it itself, in order
                }
            }

            return parse.GetValue(foreground)
                ? await ForegroundAsync(plan, options, parse.GetValue(supervised), ct)
                : await DetachedAsync(options, ct);
        }));
        return command;
    }

    private static async Task<int> DetachedAsync(UpOptions options, CancellationToken ct)
    {
        string[] arguments =
        [
            "up", "--foreground", "--supervised", "--run", options.RunId, "--nodes", options.Nodes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--port", options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. options.ImagesFile is { } images ? new[] { "--images", images } : [],
            .. options.AllowHostPath ? new[] { "--allow-host-path" } : [],
            .. options.IpMasquerade ? new[] { "--ip-masq" } : [],
            .. options.Expose is { } expose ? new[] { "--expose", expose } : [],
            .. options.Runtime == ContainerRuntimeKind.Oci ? new[] { "--runtime", "oci" } : [],
            // The supervisor pulls for `waylay apply`: it reaches the registries as this command does.
            .. options.Registries.InsecureRegistries.SelectMany(r => new[] { "--insecure-registry", r }),
            .. options.Paths,
        ];
        if (new NodeRuntimeOptions { RunId = options.RunId, StateRoot = options.StateRoot }.Validate() is { Count: > 0 } errors)
        {
            throw new FailureException($"up: {string.Join("; ", errors)}");
        }

        // Ctrl-C while waiting: the run is not wanted any more; tear it down rather than leave it half started.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        UpLauncher.StartDetached(Environment.ProcessPath!, arguments);
        Console.WriteLine($"run {options.RunId}: starting (supervisor log: {MeshStatus.LogFile(options.StateDirectory)})");
        MeshStatus status;
        try
        {
            status = await UpProgress.WaitAsync(options.StateDirectory, ReadyTimeout, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.WriteLine($"interrupted: tearing down run {options.RunId}");
            // The supervisor may not have recorded itself yet: give it the time to, so down finds what it will make.
            for (var i = 0; i < 120 && MeshStatus.Supervisor(options.StateDirectory) is null; i++)
            {
                await Task.Delay(250, CancellationToken.None);
            }

            await RunDown.DownAsync(options.StateDirectory, null, CancellationToken.None);
            throw new FailureException($"up: interrupted before run {options.RunId} was ready; it was torn down");
        }

        if (status.Phase == MeshStatus.Ready)
        {
            PrintReady(options.RunId, status.Pods, status.Url, UpProgress.Live);
            return CliHost.Ok;
        }

        var log = MeshStatus.LogFile(options.StateDirectory);
        var tail = File.Exists(log) ? string.Join(Environment.NewLine, File.ReadLines(log).TakeLast(30)) : "(no log)";
        await RunDown.DownAsync(options.StateDirectory, null, CancellationToken.None);
        throw new FailureException($"up: run {options.RunId} failed: {status.Message}; it was torn down. The supervisor's log ended:{Environment.NewLine}{tail}");
    }

    private static async Task<int> ForegroundAsync(MeshPlan plan, UpOptions options, bool supervised, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Our own handlers, so a signal starts the teardown and the process stays until it is done.
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        MeshRun run;
        try
        {
            run = MeshRun.Create(plan, options, Console.Out);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new FailureException($"up: {e.Message}");
        }

        if (supervised)
        {
            var log = new StreamWriter(new FileStream(MeshStatus.LogFile(options.StateDirectory), FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            Console.SetOut(log);
            Console.SetError(log);
            run.Progress = log;
        }

        try
        {
            await run.StartAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.WriteLine("stopping: tearing down");
            await run.DisposeAsync();
            return CliHost.Ok;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"waylay up: {e.Message}");
            if (supervised)
            {
                return CliHost.Failure; // the waiting `waylay up` prints the log, then tears the run down
            }

            await run.DisposeAsync();
            throw new FailureException($"up: run {options.RunId} failed and was torn down: {e.Message}");
        }

        PrintReady(options.RunId, run.Pods, run.Url, shownLive: false);
        await run.SuperviseAsync(stop.Token);
        Console.WriteLine("stopping: tearing down");
        await run.DisposeAsync();
        return CliHost.Ok;
    }

    private static void PrintReady(string runId, IReadOnlyList<PodStatus> pods, string? url, bool shownLive)
    {
        UpProgress.PrintTable(pods, shownLive);
        Console.WriteLine($"run {runId}: {pods.Count} pods ready");
        if (url is not null)
        {
            Console.WriteLine(url);
        }

        Console.WriteLine($"waylay ps {runId}     waylay down {runId}");
    }
}
