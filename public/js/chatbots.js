// Chatbots: Owners and Admins (chatbots.manage) create, rename and delete chatbots and see who
// can use each one; everyone else sees the chatbots they may use and how. The API checks every action.
import { ApiError, del, get, patch, post, redirectIfSignedOut } from "./api.js";
import { busy, formValues, h, relativeTime, replace, roleLabel, showErrors, toast } from "./dom.js";
import { openDialog } from "./dialog.js";
import { orgPage } from "./shell.js";

const ACCESS_TEXT = { view: "View", reply: "Reply", manage: "Manage" };
const ACCESS_HELP = { view: "Can read conversations", reply: "Can read and reply", manage: "Can reply and assign conversations" };

let ctx;
let base;
let chatbots = [];

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const manages = () => ctx.perms.has("chatbots.manage");

/** A name that may be very long: cut to one line with the whole text on hover. */
const clipped = (text, cls = "") => h("span", { class: `clip ${cls}`.trim(), title: text }, text);

function nameField(value = "") {
  return h("div", { class: "field" },
    h("label", { for: "chatbot-name" }, "Name"),
    h("input", { id: "chatbot-name", name: "name", type: "text", value, maxlength: 200, required: true, autocomplete: "off", autofocus: true }),
    h("p", { class: "hint" }, "Up to 200 characters; each chatbot of the organization needs its own name."));
}

/** Client-side check for what the server would also refuse, so an empty form says what is missing at once. */
function emptyName(form) {
  if (formValues(form).name) return false;
  showErrors(form, new ApiError(400, { error: { message: "Name is required.", fields: [{ field: "name", message: "is required" }] } }));
  return true;
}

function createDialog() {
  openDialog({
    id: "create-chatbot", title: "New chatbot", submitLabel: "Create chatbot",
    body: [nameField()],
    onSubmit: async (form) => {
      if (emptyName(form)) return false;
      const { name } = formValues(form);
      try {
        await busy(form, () => post(`${base}/chatbots`, { name }));
      } catch (err) { showErrors(form, err); return false; }
      await refresh();
      toast(`Chatbot “${name}” created.`);
      return true;
    },
  });
}

function renameDialog(bot) {
  openDialog({
    id: "rename-chatbot", title: "Rename chatbot", submitLabel: "Save name",
    body: [nameField(bot.name)],
    onSubmit: async (form) => {
      if (emptyName(form)) return false;
      const { name } = formValues(form);
      try {
        await busy(form, () => patch(`${base}/chatbots/${bot.id}`, { name }));
      } catch (err) { showErrors(form, err); return false; }
      await refresh();
      toast(`Renamed to “${name}”.`);
      return true;
    },
  });
}

function deleteDialog(bot) {
  openDialog({
    id: "delete-chatbot", title: `Delete “${bot.name}”?`, submitLabel: "Delete chatbot", submitClass: "danger",
    description: "Its conversations and everyone's access to it are deleted with it. This cannot be undone.",
    onSubmit: async (form) => {
      try {
        await busy(form, () => del(`${base}/chatbots/${bot.id}`));
      } catch (err) { showErrors(form, err); return false; }
      await refresh();
      toast(`Chatbot “${bot.name}” deleted.`);
      return true;
    },
  });
}

function accessRow(e) {
  return h("tr", {},
    h("td", { "data-label": "Person" }, h("div", { class: "person" },
      e.name ? h("strong", {}, clipped(e.name)) : null, clipped(e.email, e.name ? "muted small" : ""))),
    h("td", { "data-label": "Role" }, h("span", { class: `pill role-${e.role}` }, roleLabel(e.role)),
      e.status === "suspended" ? h("span", { class: "badge off" }, " Suspended") : null),
    h("td", { "data-label": "Access" }, e.scope === "all"
      ? (e.role === "member"
        ? h("span", { title: "This Member's access is set to All chatbots" }, "All chatbots")
        : h("span", { title: "Owners and Admins can use every chatbot" }, "All chatbots (by role)"))
      : h("span", { title: ACCESS_HELP[e.access] }, ACCESS_TEXT[e.access] || e.access)));
}

async function accessDialog(bot) {
  let data;
  try {
    data = await get(`${base}/chatbots/${bot.id}/access`);
  } catch (err) {
    if (!redirectIfSignedOut(err)) toast(err.message, "error");
    return;
  }
  const granted = data.access.filter((e) => e.scope === "granted").length;
  const allMembers = data.access.filter((e) => e.scope === "all" && e.role === "member").length;
  openDialog({
    id: "chatbot-access", title: `Who can use “${bot.name}”`, submitLabel: "Done", submitClass: "",
    description: `${plural(data.access.length - granted - allMembers, "Owner or Admin", "Owners and Admins")} by their role, ${plural(allMembers, "member", "members")} with access to all chatbots, ${plural(granted, "member", "members")} by a grant on this chatbot. Change a member's access on the Members page.`,
    body: [h("div", { class: "table-wrap" }, h("table", { class: "access-table" },
      h("thead", {}, h("tr", {}, ["Person", "Role", "Access"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, data.access.map(accessRow))))],
    onSubmit: () => true,
  });
}

function chatbotRow(bot) {
  return h("tr", { dataset: { chatbotId: bot.id } },
    h("td", { "data-label": "Name" }, h("strong", {}, clipped(bot.name))),
    manages()
      ? h("td", { "data-label": "Access" }, h("button", { type: "button", class: "btn small", "aria-label": `Who can use ${bot.name}`, onclick: () => accessDialog(bot) }, "Who has access"))
      : h("td", { "data-label": "Your access" }, h("span", { title: ACCESS_HELP[bot.myAccess] }, ACCESS_TEXT[bot.myAccess] || bot.myAccess)),
    h("td", { "data-label": "Created" }, relativeTime(bot.createdAt)),
    manages() ? h("td", { class: "actions" }, h("div", { class: "row-actions" },
      h("button", { type: "button", class: "btn small", "aria-label": `Rename ${bot.name}`, onclick: () => renameDialog(bot) }, "Rename"),
      h("button", { type: "button", class: "btn small", "aria-label": `Delete ${bot.name}`, onclick: () => deleteDialog(bot) }, "Delete"))) : null);
}

function render() {
  const head = manages() ? ["Name", "Access", "Created", h("span", { class: "visually-hidden-label" }, "Actions")] : ["Name", "Your access", "Created"];
  replace(ctx.main,
    h("div", { class: "page-head" },
      h("div", {}, h("h1", {}, "Chatbots"), h("p", { class: "lede" }, manages()
        ? `The chatbots of ${ctx.org.name}. Owners and Admins use all of them; members use those they are given on the Members page.`
        : "The chatbots you can use here, and what you can do in each.")),
      manages() ? h("button", { type: "button", class: "btn primary", id: "create-chatbot-button", onclick: createDialog }, "New chatbot") : null),
    h("section", { class: "card", "aria-labelledby": "bots-h" },
      h("div", { class: "card-head" }, h("h2", { id: "bots-h" }, manages() ? "All chatbots" : "Your chatbots", h("span", { class: "count" }, chatbots.length))),
      chatbots.length
        ? h("div", { class: "table-wrap" }, h("table", {},
          h("caption", { class: "visually-hidden-label" }, "Chatbots"),
          h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, chatbots.map(chatbotRow))))
        : h("p", { class: "empty" }, manages()
          ? "No chatbots yet. Use “New chatbot” to create the first one."
          : "You have no chatbots yet. Ask an Owner or Admin to give you access to one.")));
}

async function refresh() {
  try {
    chatbots = (await get(`${base}/chatbots`)).chatbots;
    render();
  } catch (err) {
    if (!redirectIfSignedOut(err)) replace(ctx.main, h("h1", {}, "Chatbots"), h("div", { class: "notice error", role: "alert" }, err.message));
  }
}

(async () => {
  ctx = await orgPage("chatbots");
  if (!ctx) return;
  base = `/api/orgs/${encodeURIComponent(ctx.orgId)}`;
  await refresh();
})();
