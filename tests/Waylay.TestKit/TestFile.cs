namespace Waylay.TestKit;

/// <summary>
/// A file the sidecar (uid 1337) can use: <c>/tmp/wl-&lt;run&gt;-&lt;kind&gt;N&lt;suffix&gt;</c>, world-readable (configs) or
/// world-writable (logs it appends to), removed on dispose.
/// </summary>
public sealed class TestFile : IDisposable
{
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Writable = Readable | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private TestFile(string path) => Path = path;

    public string Path { get; }

    /// <summary>A config file (mesh.yaml, rules.yaml) with this content.</summary>
    public static TestFile Config(string kind, string content)
    {
        var file = new TestFile($"/tmp/{RunId.Next(kind)}.yaml");
        file.Write(content);
        return file;
    }

    /// <summary>An empty file the proxy may write, e.g. its access log.</summary>
    public static TestFile Log(string kind)
    {
        var file = new TestFile($"/tmp/{RunId.Next(kind)}.log");
        File.WriteAllText(file.Path, "");
        File.SetUnixFileMode(file.Path, Writable);
        return file;
    }

    /// <summary>Replaces the content atomically (write a sibling, rename), as a ConfigMap update does.</summary>
    public void Write(string content)
    {
        var temp = Path + ".new";
        File.WriteAllText(temp, content);
        File.SetUnixFileMode(temp, Readable);
        File.Move(temp, Path, overwrite: true);
    }

    /// <summary>The lines written so far (a last line without its newline is not complete, so it is left out).</summary>
    public IReadOnlyList<string> CompleteLines()
    {
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : text[..end].Split('\n');
    }

    public void Dispose()
    {
        File.Delete(Path);
        File.Delete(Path + ".new");
    }
}
