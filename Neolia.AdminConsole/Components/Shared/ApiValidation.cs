using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Neolia.AdminConsole.Api;

namespace Neolia.AdminConsole.Components.Shared;

/// <summary>
/// Puts the API's validation problems beside the fields they name (problem details' <c>errors</c>, matched to the
/// form model's properties by name); what names no field is shown as the form's message. A field's API error goes
/// away as soon as the field is edited.
/// </summary>
public sealed class ApiValidation : ComponentBase, IDisposable
{
    private ValidationMessageStore? _messages;
    private EditContext? _context;

    [CascadingParameter]
    private EditContext? CurrentEditContext { get; set; }

    /// <summary>The API's words for what no field of the form stands for (a conflict, not found…).</summary>
    public string? FormProblem { get; private set; }

    protected override void OnInitialized()
    {
        _context = CurrentEditContext ?? throw new InvalidOperationException($"{nameof(ApiValidation)} goes inside an EditForm.");
        _messages = new ValidationMessageStore(_context);
        _context.OnFieldChanged += (_, e) =>
        {
            if (!_messages[e.FieldIdentifier].Any()) return;
            _messages.Clear(e.FieldIdentifier);
            _context.NotifyValidationStateChanged();
        };
        _context.OnValidationRequested += (_, _) => Clear();
    }

    /// <returns>True when there was a problem (the caller stops).</returns>
    public bool Show(ApiProblem? problem)
    {
        Clear();
        if (problem is null) return false;
        var model = _context!.Model;
        var unmatched = new List<string>();
        foreach (var (field, messages) in problem.Errors)
        {
            var property = model.GetType().GetProperty(field, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null) unmatched.AddRange(messages);
            else _messages!.Add(new FieldIdentifier(model, property.Name), messages);
        }
        FormProblem = problem.Errors.Count == 0 || unmatched.Count > 0
            ? string.Join(" ", new[] { problem.Message }.Concat(unmatched))
            : null;
        _context.NotifyValidationStateChanged();
        return true;
    }

    public void Clear()
    {
        _messages?.Clear();
        FormProblem = null;
        _context?.NotifyValidationStateChanged();
    }

    public void Dispose() => _messages?.Clear();
}
