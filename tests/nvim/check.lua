-- Drives `kvet lsp` from a real Neovim (0.7+ API): attaches it to the
-- current buffer, waits for diagnostics, asks for code actions and a hover
-- on the first one, writes what it received as JSON to $KVET_NVIM_OUT and
-- quits. Run: nvim --headless --clean -c 'luafile tests/nvim/check.lua' FILE
local kvet = os.getenv("KVET_BIN")
local out = os.getenv("KVET_NVIM_OUT")
local buf = vim.api.nvim_get_current_buf()

local function write(result)
  local f = assert(io.open(out, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
end

local client_id = vim.lsp.start_client({
  name = "kvet",
  cmd = { kvet, "lsp" },
  root_dir = vim.fn.getcwd(),
  init_options = { select = { "selector-mismatch" } },
})
vim.lsp.buf_attach_client(buf, client_id)

local attached = vim.wait(20000, function()
  return #vim.diagnostic.get(buf) > 0
end, 50)

local diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local lsp_data = (d.user_data and d.user_data.lsp) or {}
  table.insert(diagnostics, {
    lnum = d.lnum,
    col = d.col,
    end_lnum = d.end_lnum,
    end_col = d.end_col,
    severity = d.severity,
    source = d.source,
    message = d.message,
    code = d.code or lsp_data.code,
  })
end

local actions, hover = {}, vim.NIL
local first = vim.diagnostic.get(buf)[1]
if first then
  local uri = vim.uri_from_bufnr(buf)
  local lsp_diag = (first.user_data and first.user_data.lsp) or {}
  local params = {
    textDocument = { uri = uri },
    range = {
      start = { line = first.lnum, character = first.col },
      ["end"] = { line = first.end_lnum, character = first.end_col },
    },
    context = { diagnostics = { lsp_diag } },
  }
  local res = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 10000)
  for _, r in pairs(res or {}) do
    for _, a in ipairs(r.result or {}) do
      table.insert(actions, a.title)
    end
  end
  local hres = vim.lsp.buf_request_sync(buf, "textDocument/hover", {
    textDocument = { uri = uri },
    position = { line = first.lnum, character = first.col },
  }, 10000)
  for _, r in pairs(hres or {}) do
    if r.result and r.result.contents then
      hover = r.result.contents.value
    end
  end
end

write({ attached = attached, diagnostics = diagnostics, actions = actions, hover = hover })
vim.lsp.stop_client(client_id)
vim.cmd("qa!")
