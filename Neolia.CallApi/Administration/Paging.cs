using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;

namespace Neolia.CallApi.Administration;

/// <summary>
/// Every admin list pages the same way: <c>?page=1&amp;pageSize=50</c> (page from 1, page size 1–200), oldest first,
/// answered as a <see cref="PagedList{T}"/>. Offset paging: admin lists are small and people jump to a page.
/// </summary>
public sealed class PageQuery
{
    public const int MaxPageSize = 200;

    public const int DefaultPageSize = 50;

    // Nullable so that both may be left out of the query string ([AsParameters] makes non-nullable ones required).
    [Range(1, 1_000_000)]
    public int? Page { get; init; }

    [Range(1, MaxPageSize)]
    public int? PageSize { get; init; }

    /// <summary>Words a list's names must contain (case-insensitive), as a person types them into a search box.</summary>
    [MaxLength(200)]
    public string? Search { get; init; }

    public int PageNumber => Page ?? 1;

    /// <summary>An ILIKE pattern matching <see cref="Search"/> anywhere, its wildcards taken literally; null without a search.</summary>
    public string? SearchPattern => string.IsNullOrWhiteSpace(Search)
        ? null
        : $"%{Search.Trim().Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_")}%";
    public int Size => PageSize ?? DefaultPageSize;
}

/// <summary>One page of a list, with what a client needs to ask for the next one.</summary>
public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, int TotalCount);

public static class PagingExtensions
{
    /// <summary>One page of an already ordered query (order by a unique key, or pages overlap).</summary>
    public static async Task<PagedList<T>> ToPageAsync<T>(this IQueryable<T> ordered, PageQuery paging, CancellationToken ct)
    {
        var total = await ordered.CountAsync(ct);
        var items = await ordered.Skip((paging.PageNumber - 1) * paging.Size).Take(paging.Size).ToListAsync(ct);
        return new PagedList<T>(items, paging.PageNumber, paging.Size, total);
    }
}
