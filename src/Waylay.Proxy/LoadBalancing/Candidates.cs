namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// The endpoints a balancer may pick from for one choice: a cluster's members less the ejected hosts and the host a
/// retry just tried, without copying them (a request allocates nothing). <see cref="Count"/> is never zero.
/// </summary>
internal readonly struct Candidates
{
    private readonly EndpointStats[] _members;
    private readonly OutlierDetector? _detector;
    private readonly EndpointStats? _exclude;

    public Candidates(EndpointStats[] members, OutlierDetector? detector, EndpointStats? exclude, int count)
    {
        _members = members;
        _detector = detector;
        _exclude = exclude;
        Count = count;
    }

    public int Count { get; }

    /// <summary>The n-th candidate; an ejection racing with the count makes it the last candidate instead.</summary>
    public EndpointStats this[int n]
    {
        get
        {
            if (_detector is null && _exclude is null)
            {
                return _members[n];
            }

            var last = _members[0];
            foreach (var member in _members)
            {
                if (IsCandidate(member, _detector, _exclude))
                {
                    if (n-- == 0)
                    {
                        return member;
                    }

                    last = member;
                }
            }

            return last;
        }
    }

    public static bool IsCandidate(EndpointStats member, OutlierDetector? detector, EndpointStats? exclude) =>
        !ReferenceEquals(member, exclude) && (detector is null || !detector.IsEjected(member.Address));
}
