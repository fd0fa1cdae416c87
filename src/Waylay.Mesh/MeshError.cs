namespace Waylay.Mesh;

/// <summary>One problem in a mesh description: where (a field path like <c>services[1].ports[0].port</c>), what, and the fix.</summary>
public sealed record MeshError(string Path, string Message, int Line = 0)
{
    public override string ToString() => Line > 0 ? $"{Path} (line {Line}): {Message}" : $"{Path}: {Message}";
}

/// <summary>Thrown at the API boundary when a mesh description has errors; carries all of them.</summary>
public sealed class MeshValidationException(string source, IReadOnlyList<MeshError> errors)
    : Exception($"{source}: {errors.Count} error(s):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors))
{
    public IReadOnlyList<MeshError> Errors { get; } = errors;
}
