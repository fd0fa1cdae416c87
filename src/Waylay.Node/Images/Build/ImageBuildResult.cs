namespace Waylay.Node.Images.Build;

/// <summary>
/// A built image: its manifest digest (what a runtime or registry knows it by; equal for two builds of the same
/// inputs), the archive, its compressed size (the archive's bytes, which are the compressed layer plus a few KB of
/// JSON) and how long the build took.
/// </summary>
internal sealed record ImageBuildResult(string Reference, string Digest, string Archive, long CompressedBytes, int Packages, TimeSpan Elapsed);
