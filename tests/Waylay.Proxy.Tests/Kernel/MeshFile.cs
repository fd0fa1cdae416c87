using Waylay.TestKit;

namespace Waylay.Proxy.Tests.Kernel;

/// <summary>A mesh.yaml the proxy (uid 1337) can read: /tmp/wl-&lt;run&gt;-meshN.yaml, mode 0644, removed on dispose.</summary>
internal sealed class MeshFile : IDisposable
{
    public MeshFile(string yaml)
    {
        Path = $"/tmp/{RunId.Next("mesh")}.yaml";
        Write(yaml);
    }

    public string Path { get; }

    /// <summary>Replaces the content atomically (write a sibling, rename), as a ConfigMap update does.</summary>
    public void Write(string yaml)
    {
        var temp = Path + ".new";
        File.WriteAllText(temp, yaml);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(temp, Path, overwrite: true);
    }

    public void Dispose() => File.Delete(Path);
}
