namespace Waylay.Node.Up;

/// <summary>What <c>waylay up</c> was asked for, parsed once at the edge (the CLI).</summary>
internal sealed record UpOptions
{
    /// <summary>Manifest files and directories (directories are read recursively for *.yaml and *.yml).</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    public required string RunId { get; init; }

    public int Nodes { get; init; } = 1;

    /// <summary>The <c>--images</c> file's path, or null for the built-in entries alone.</summary>
    public string? ImagesFile { get; init; }

    public bool AllowHostPath { get; init; }

    /// <summary><c>--ip-masq</c>: pod traffic leaving its node is masqueraded to the node's address (<see cref="NodeRuntimeOptions.IpMasquerade"/>).</summary>
    public bool IpMasquerade { get; init; }

    /// <summary>The Service the forwarder reaches (<c>--expose SERVICE[:PORT]</c>); null: productpage, else the first.</summary>
    public string? Expose { get; init; }

    /// <summary>The forwarder's port on 127.0.0.1; 0 for an ephemeral one.</summary>
    public ushort Port { get; init; }

    public string StateRoot { get; init; } = "/run/waylay";

    /// <summary><c>--runtime</c>: the manifests' containers as programs of this machine (default) or from images through runc.</summary>
    public Processes.ContainerRuntimeKind Runtime { get; init; }

    /// <summary>The image store <c>--runtime oci</c> takes images from (<c>waylay image load</c> fills it).</summary>
    public string ImageStore { get; init; } = Images.Store.ImageStore.DefaultRoot;

    /// <summary>How <c>--runtime oci</c> reaches registries for the images it pulls (<c>--insecure-registry</c>).</summary>
    public Images.Store.RegistryOptions Registries { get; init; } = Images.Store.RegistryOptions.Default;

    /// <summary>
    /// Whether the control plane runs when a pod has a sidecar (always from the CLI). Off, the sidecars are injected
    /// without a <c>--discoveryAddress</c> and pass every connection through: what the diagnostics' path predictions
    /// were built for (tests/Waylay.Diagnostics.Tests/TwoPodMesh.cs).
    /// </summary>
    public bool ControlPlane { get; init; } = true;

    public string StateDirectory => Path.Combine(StateRoot, RunId);
}
