using System.Runtime.CompilerServices;
using System.IO.Hashing;
using Google.Protobuf;
using Waylay.Discovery.V1;

namespace Waylay.Control.Registry;

/// <summary>
/// One version of one resource type, encoded once: every resource is kept as its wire frame (field 3 of
/// DiscoveryResponse), so a push to any number of proxies copies shared bytes instead of serialising per stream. The
/// changes from an earlier version (<see cref="DeltaFrom"/>) are computed once per base version and shared the same way.
/// </summary>
/// <param name="Hash">Content hash of the resources, so a rebuild that changes nothing of a type keeps its version.</param>
internal sealed class TypeSnapshot
{
    // Keyed by the earlier snapshot itself: two views may hold different content under one version number.
    private readonly ConditionalWeakTable<TypeSnapshot, Lazy<EncodedResources>> _deltas = new();
    private readonly Dictionary<string, (UInt128 Hash, ReadOnlyMemory<byte> Frame)>? _byName;

    private TypeSnapshot(string typeUrl, long version, IReadOnlyList<Resource> resources, UInt128 hash, EncodedResources full, Dictionary<string, (UInt128, ReadOnlyMemory<byte>)>? byName)
    {
        (TypeUrl, Version, Resources, Hash, Full, _byName) = (typeUrl, version, resources, hash, full, byName);
    }

    /// <summary>Whether the type can be cut per proxy by resource name (no name is used twice).</summary>
    public bool ByName => _byName is not null;

    public string TypeUrl { get; }

    public long Version { get; }

    public IReadOnlyList<Resource> Resources { get; }

    public UInt128 Hash { get; }

    /// <summary>Every resource, for a new stream or a proxy that does not merge.</summary>
    public EncodedResources Full { get; }

    /// <summary>Bytes of all resources (the size of a full push).</summary>
    public long Bytes => Full.Frames.Length;

    public static TypeSnapshot Encode(string typeUrl, long version, IReadOnlyList<Resource> resources)
    {
        var hash = new XxHash128();
        var frames = new MemoryStream();
        var output = new CodedOutputStream(frames, leaveOpen: true);
        Dictionary<string, (UInt128, ReadOnlyMemory<byte>)>? byName = new(StringComparer.Ordinal);
        var offsets = new List<(string Name, int Start, UInt128 Hash)>(resources.Count);
        foreach (var resource in resources)
        {
            var data = resource.ToByteArray();
            hash.Append(data);
            output.Flush();
            var start = (int)frames.Length;
            output.WriteTag(DiscoveryResponse.ResourcesFieldNumber, WireFormat.WireType.LengthDelimited);
            output.WriteLength(data.Length);
            output.Flush();
            frames.Write(data);
            offsets.Add((resource.Name, start, XxHash128.HashToUInt128(data)));
        }

        output.Flush();
        var all = new ReadOnlyMemory<byte>(frames.GetBuffer(), 0, (int)frames.Length);
        for (var i = 0; i < offsets.Count && byName is not null; i++)
        {
            var end = i + 1 < offsets.Count ? offsets[i + 1].Start : all.Length;
            // Two resources of one name cannot be merged by name: such a type is always sent whole.
            if (!byName.TryAdd(offsets[i].Name, (offsets[i].Hash, all[offsets[i].Start..end])))
            {
                byName = null;
            }
        }

        return new TypeSnapshot(typeUrl, version, resources, hash.GetCurrentHashAsUInt128(), new EncodedResources(all, resources.Count, []), byName);
    }

    /// <summary>
    /// The hash a <see cref="Select"/> of <paramref name="names"/> would have (over the chosen resources' own hashes),
    /// so a view whose content did not change is found before any bytes are copied.
    /// </summary>
    public UInt128 HashOf(IReadOnlyList<string> names)
    {
        var hash = new XxHash128();
        Span<byte> bytes = stackalloc byte[16];
        foreach (var name in names)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128LittleEndian(bytes, _byName![name].Hash);
            hash.Append(bytes);
        }

        return hash.GetCurrentHashAsUInt128();
    }

    /// <summary>The resources named (in this snapshot's order), their frames copied from this one: nothing is serialised again.</summary>
    public TypeSnapshot Select(IReadOnlyList<string> names, UInt128 hash, long version)
    {
        var chosen = new HashSet<string>(names, StringComparer.Ordinal);
        var resources = new List<Resource>(names.Count);
        var byName = new Dictionary<string, (UInt128, ReadOnlyMemory<byte>)>(names.Count, StringComparer.Ordinal);
        var frames = new MemoryStream();
        foreach (var resource in Resources)
        {
            if (chosen.Contains(resource.Name))
            {
                var (own, frame) = _byName![resource.Name];
                var start = (int)frames.Length;
                frames.Write(frame.Span);
                resources.Add(resource);
                byName[resource.Name] = (own, new ReadOnlyMemory<byte>(frames.GetBuffer(), start, frame.Length));
            }
        }

        // GetBuffer may be replaced as the stream grows: take the slices again from the final buffer.
        var buffer = frames.GetBuffer();
        foreach (var name in byName.Keys.ToList())
        {
            var (own, frame) = byName[name];
            System.Runtime.InteropServices.MemoryMarshal.TryGetArray(frame, out var segment);
            byName[name] = (own, new ReadOnlyMemory<byte>(buffer, segment.Offset, segment.Count));
        }

        return new TypeSnapshot(TypeUrl, version, resources, hash, new EncodedResources(new ReadOnlyMemory<byte>(buffer, 0, (int)frames.Length), resources.Count, []), byName);
    }

    /// <summary>What changed since <paramref name="previous"/>: null when the type cannot be merged by name.</summary>
    public EncodedResources? DeltaFrom(TypeSnapshot previous)
    {
        if (_byName is null || previous._byName is null)
        {
            return null;
        }

        return _deltas.GetValue(previous, p => new Lazy<EncodedResources>(() => Diff(p._byName!))).Value;
    }

    private EncodedResources Diff(Dictionary<string, (UInt128 Hash, ReadOnlyMemory<byte> Frame)> before)
    {
        var frames = new MemoryStream();
        var count = 0;
        foreach (var (name, (hash, frame)) in _byName!)
        {
            if (!before.TryGetValue(name, out var old) || old.Hash != hash)
            {
                frames.Write(frame.Span);
                count++;
            }
        }

        var removed = before.Keys.Where(name => !_byName.ContainsKey(name)).ToList();
        return new EncodedResources(frames.ToArray(), count, removed);
    }
}

/// <summary>Resources as DiscoveryResponse field-3 frames, ready to copy onto any stream, and the names removed.</summary>
internal sealed record EncodedResources(ReadOnlyMemory<byte> Frames, int Count, IReadOnlyList<string> Removed);
