namespace Waylay.Mesh.Networking;

/// <summary>
/// One problem in a networking resource, e.g.
/// <c>VirtualService reviews: spec.http[0].mirror is not supported by Waylay; …</c>.
/// </summary>
/// <param name="Resource">"VirtualService reviews" (namespace added when not default), or "document 3" before the kind is known.</param>
/// <param name="Path">The field, e.g. <c>spec.http[0].route[1].weight</c>.</param>
/// <param name="Message">Reads on from the path: "is not supported by Waylay; …", "must be a duration like 1.5s".</param>
public sealed record NetworkingError(string Resource, string Path, string Message, int Line = 0)
{
    public override string ToString() => $"{Resource}: {Path} {Message}{(Line > 0 ? $" (line {Line})" : "")}";

    /// <summary>The same error in the mesh model's shape, for <see cref="MeshValidationException"/>.</summary>
    public MeshError ToMeshError() => new($"{Resource}: {Path}", Message, Line);
}
