"""The named choices and limits that the command line, the API and the web share: constants only, importing
nothing, so that a command's options (``sucai search --help``) are described without loading the library.

Each is defined here once and re-exported where it belongs (``sucai.search.MODES``, ``sucai.accounts.ROLES``…).
A choice is code → the Chinese name users see (and may type instead of the code: 精准 = precise).
"""

MODES = {"ranked": "智能", "precise": "精准"}                       # 检索方式 (sucai.search)
SCOPES = {"doc": "全文", "section": "段落"}                          # 检索范围
SORTS = {"relevance": "相关度", "date": "日期", "length": "字数"}    # 排序
MAX_PAGE = 1000  # deepest page served (pages of up to max_page_size hits)

EXPORT_FORMATS = ("docx", "md", "txt")   # one document downloaded (sucai.export.FORMATS)
SYNC_FORMATS = ("md", "docx")            # the files of a synced folder (sucai.sync.FORMATS)

ROLES = ("user", "member", "admin")          # roles an account can hold ("visitor" = no account; sucai.accounts)
ROLE_LABELS = {"visitor": "游客", "user": "注册用户", "member": "会员", "admin": "管理员", "cli": "命令行"}
TIERS = ("member", "svip")                   # paid tiers, lowest first
TIER_LABELS = {"visitor": "游客", "user": "注册用户", "member": "会员", "svip": "SVIP会员", "admin": "管理员"}
