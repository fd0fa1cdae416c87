namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// The local copy of one kind, keyed "namespace/name" (client-go's thread-safe store): a list replaces it whole, a
/// watch event changes one entry. Readers get a copy, so a snapshot is built from a consistent view of each kind.
/// </summary>
internal sealed class ObjectStore<T>(Func<T, ObjectMeta> meta)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>After a list: exactly these items, so objects deleted while we were not watching are gone.</summary>
    public void Replace(IReadOnlyList<T> items)
    {
        lock (_lock)
        {
            _items.Clear();
            foreach (var item in items)
            {
                _items[meta(item).Key] = item;
            }
        }
    }

    public void Upsert(T item)
    {
        lock (_lock)
        {
            _items[meta(item).Key] = item;
        }
    }

    public void Remove(T item)
    {
        lock (_lock)
        {
            _items.Remove(meta(item).Key);
        }
    }

    public bool TryGet(string ns, string name, out T item)
    {
        lock (_lock)
        {
            return _items.TryGetValue($"{ns}/{name}", out item!);
        }
    }

    /// <summary>A copy, in key order (so a rebuilt model does not depend on event order).</summary>
    public T[] Items()
    {
        lock (_lock)
        {
            var keys = _items.Keys.ToArray();
            Array.Sort(keys, StringComparer.Ordinal);
            var items = new T[keys.Length];
            for (var i = 0; i < keys.Length; i++)
            {
                items[i] = _items[keys[i]];
            }

            return items;
        }
    }
}
