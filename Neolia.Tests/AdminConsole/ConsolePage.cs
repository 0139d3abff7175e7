using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Neolia.Tests.AdminConsole;

/// <summary>What a person does in the console, in Playwright terms (Fluent UI's inputs keep their &lt;input&gt; in a shadow root).</summary>
public sealed class ConsolePage(IPage page, string screenshotDirectory)
{
    public IPage Page { get; } = page;

    public async Task SignInAsync(string email, string password)
    {
        await Page.GotoAsync("login");
        await Page.Locator("#email").FillAsync(email);
        await Page.Locator("#password").FillAsync(password);
        await Page.Locator("#signin").ClickAsync();
    }

    public async Task OpenAsync(string path, string heading)
    {
        // The heading is in the prerendered page already; typing before the circuit is up would be lost when the
        // interactive render takes over, so wait until the page's loading (circuit included) has gone quiet.
        await Page.GotoAsync(path, new() { WaitUntil = WaitUntilState.NetworkIdle });
        await Expect(Page.Locator("h1")).ToHaveTextAsync(heading);
    }

    /// <summary>Types into a Fluent text input, then leaves it (Blazor takes the value on change).</summary>
    public async Task FillAsync(string id, string value)
    {
        var input = Page.Locator($"#{id} input");
        await input.FillAsync(value);
        await input.PressAsync("Tab");
    }

    public async Task ChooseAsync(string id, string option)
    {
        await Page.Locator($"#{id}").ClickAsync();
        await Page.Locator($"#{id} fluent-option", new() { HasText = option }).First.ClickAsync();
    }

    public Task ClickAsync(string id) => Page.Locator($"#{id}").ClickAsync();

    /// <summary>The validation message shown with a field: in its Fluent field, or right after a plain input.</summary>
    public ILocator MessageBeside(string id) => Page.Locator($"#{id}-field .fluent-validation-message, div:has(> #{id}) > .validation-message");

    public ILocator Grid(string testId) => Page.Locator($"[data-testid={testId}]");

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(screenshotDirectory, $"{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }
}
