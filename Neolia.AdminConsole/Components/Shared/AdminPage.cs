using Microsoft.AspNetCore.Components;
using Microsoft.FluentUI.AspNetCore.Components;
using Microsoft.JSInterop;
using Neolia.AdminConsole.Api;
using Neolia.AdminConsole.SignIn;

namespace Neolia.AdminConsole.Components.Shared;

/// <summary>What every console page uses: the API as the signed-in administrator, confirmations, paged lists, copying.</summary>
public abstract class AdminPage : ComponentBase
{
    public const int PageSize = 10;

    [Inject] protected NeoliaApi Api { get; set; } = default!;
    [Inject] protected ConsoleUser User { get; set; } = default!;
    [Inject] protected IDialogService Dialogs { get; set; } = default!;
    [Inject] protected IJSRuntime JS { get; set; } = default!;

    /// <summary>A problem to show above the page's content (a list that failed to load, an action the API refused).</summary>
    protected string? PageProblem { get; set; }

    /// <summary>What just happened, said once (created, deleted, rung).</summary>
    protected string? PageNotice { get; set; }

    protected PaginationState Pagination { get; } = new() { ItemsPerPage = PageSize };

    /// <summary>A grid's data from an API list, one API page per grid page, searched and filtered by the API.</summary>
    protected GridItemsProvider<T> ListFrom<T>(string path, Func<string?> search, Func<IEnumerable<KeyValuePair<string, string?>>>? filters = null) =>
        async request =>
        {
            var size = request.Count is { } count and > 0 ? count : PageSize;
            var result = await Api.PageAsync<T>(path, request.StartIndex / size + 1, size, search(), filters?.Invoke(), request.CancellationToken);
            if (result.Value is not { } page)
            {
                PageProblem = result.Problem!.Message;
                return GridItemsProviderResult.From<T>([], 0);
            }
            return GridItemsProviderResult.From(page.Items.ToList(), page.TotalCount);
        };

    /// <summary>Every item of a short list (sites, apartments) for a picker.</summary>
    protected async Task<IReadOnlyList<T>> AllOfAsync<T>(string path, IEnumerable<KeyValuePair<string, string?>>? filters = null)
    {
        var result = await Api.PageAsync<T>(path, 1, 200, filters: filters);
        if (result.Value is { } page) return page.Items;
        PageProblem = result.Problem!.Message;
        return [];
    }

    /// <summary>Asks before anything that cannot be undone.</summary>
    protected async Task<bool> ConfirmAsync(string message, string title, string action)
    {
        var answer = await Dialogs.ShowConfirmationAsync(message, title, action, "Cancel");
        return !answer.Cancelled;
    }

    protected async Task CopyAsync(string text, string what)
    {
        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", text);
            PageNotice = $"{what} copied.";
        }
        catch (JSException)
        {
            PageNotice = $"The browser refused to copy: select the {what.ToLowerInvariant()} and copy it by hand.";
        }
    }

    /// <summary>The result of an action: a notice when it worked, the API's problem when it did not.</summary>
    protected bool Report(ApiProblem? problem, string done)
    {
        PageProblem = problem?.Message;
        PageNotice = problem is null ? done : null;
        return problem is null;
    }

    protected static string When(DateTimeOffset? at) => at is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'") : "—";
}
