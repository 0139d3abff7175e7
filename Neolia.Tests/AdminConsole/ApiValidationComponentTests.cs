using System.ComponentModel.DataAnnotations;
using System.Linq.Expressions;
using System.Net;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;
using Neolia.AdminConsole.Api;
using Neolia.AdminConsole.Components.Shared;

namespace Neolia.Tests.AdminConsole;

/// <summary>
/// bUnit: the API's problem details land beside the field they name, inside the same Fluent UI field the page uses,
/// and leave as soon as the person edits that field; what names no field becomes the form's message.
/// </summary>
public sealed class ApiValidationComponentTests : IDisposable
{
    private readonly BunitContext _context = new();

    public ApiValidationComponentTests()
    {
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddFluentUIComponents();
    }

    public sealed class ApartmentDraft
    {
        [Required(ErrorMessage = "Enter the number the door dials.")]
        public string Number { get; set; } = "";
    }

    [Fact]
    public async Task A_field_error_from_the_api_is_shown_beside_that_field_and_cleared_when_it_is_edited()
    {
        var (form, validation, model, editContext) = RenderForm();
        var problem = new ApiProblem(HttpStatusCode.BadRequest, "One or more validation errors occurred.", null,
            new Dictionary<string, string[]> { ["number"] = ["The number the door dials: digits only."] });

        await form.InvokeAsync(() => validation.Show(problem));

        var field = form.Find("#apartment-number-field");
        Assert.Contains("digits only", field.QuerySelector(".fluent-validation-message")!.TextContent);
        Assert.Null(validation.FormProblem);

        await form.InvokeAsync(() => editContext.NotifyFieldChanged(editContext.Field(nameof(model.Number))));
        Assert.Null(form.Find("#apartment-number-field").QuerySelector(".fluent-validation-message"));
    }

    [Fact]
    public async Task A_problem_that_names_no_field_becomes_the_forms_message()
    {
        var (form, validation, _, _) = RenderForm();
        var conflict = new ApiProblem(HttpStatusCode.Conflict, "Number taken", "This site already has an apartment 101.", ApiProblem.NoErrors);

        Assert.True(await form.InvokeAsync(() => validation.Show(conflict)));
        Assert.Equal("Number taken: This site already has an apartment 101.", validation.FormProblem);
        Assert.Empty(form.FindAll(".fluent-validation-message"));

        Assert.False(await form.InvokeAsync(() => validation.Show(null)));
        Assert.Null(validation.FormProblem);
    }

    private (IRenderedComponent<EditForm> Form, ApiValidation Validation, ApartmentDraft Model, EditContext Context) RenderForm()
    {
        var model = new ApartmentDraft();
        ApiValidation? validation = null;
        EditContext? editContext = null;
        Expression<Func<string>> number = () => model.Number;
        var form = _context.Render<EditForm>(p => p
            .Add(f => f.Model, model)
            .Add(f => f.ChildContent, (RenderFragment<EditContext>)(context => builder =>
            {
                editContext = context;
                builder.OpenComponent<ApiValidation>(0);
                builder.AddComponentReferenceCapture(1, r => validation = (ApiValidation)r);
                builder.CloseComponent();
                builder.OpenComponent<FluentTextInput>(2);
                builder.AddAttribute(3, "Id", "apartment-number");
                builder.AddAttribute(4, "Label", "Number");
                builder.AddAttribute(5, "Value", model.Number);
                builder.AddAttribute(6, "ValueExpression", number);
                builder.CloseComponent();
            })));
        return (form, validation!, model, editContext!);
    }

    public void Dispose() => _context.Dispose();
}
