namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// Picks an index in proportion to fixed integer weights (a route's destinations, 50/30/20) with one random draw and
/// a binary search over the cumulative weights: allocation-free and thread-safe when given <c>Random.Shared</c>.
/// Weight 0 is never picked; all-zero weights are refused when built.
/// </summary>
internal sealed class WeightedPicker
{
    private readonly int[] _cumulative;

    public WeightedPicker(IReadOnlyList<int> weights)
    {
        ArgumentOutOfRangeException.ThrowIfZero(weights.Count);
        _cumulative = new int[weights.Count];
        var total = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(weights[i]);
            total = checked(total + weights[i]);
            _cumulative[i] = total;
        }

        if (total == 0)
        {
            throw new ArgumentException("at least one weight must be positive", nameof(weights));
        }

        Total = total;
    }

    public int Count => _cumulative.Length;

    public int Total { get; }

    public int Pick(Random random)
    {
        if (_cumulative.Length == 1)
        {
            return 0;
        }

        var draw = random.Next(Total);

        // the first index whose cumulative weight exceeds the draw
        int low = 0, high = _cumulative.Length - 1;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_cumulative[mid] > draw)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        return low;
    }
}
